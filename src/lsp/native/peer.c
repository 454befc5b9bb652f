// Bora's peer-credentials addon: the uid of the process at the other end of a connected Unix
// socket, which Node has no API for. The shared runtime refuses a client of another user with it.
// Kept apart from the vision addon on purpose: that one links llama.cpp and may only be loaded after
// node-llama-cpp has chosen its backend, while this is needed on the first connection, before any
// model. Built by scripts/build-peer.mjs.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <node_api.h>

// peerUid(fd: number): number. Throws with the OS error when the fd is no connected Unix socket.
static napi_value PeerUid(napi_env env, napi_callback_info info) {
	size_t argc = 1;
	napi_value argv[1];
	int32_t fd = -1;
	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
		napi_throw_type_error(env, NULL, "peerUid(fd): fd must be a number");
		return NULL;
	}
	uid_t uid;
#if defined(__linux__)
	struct ucred cred;
	socklen_t length = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
		napi_throw_error(env, NULL, strerror(errno));
		return NULL;
	}
	uid = cred.uid;
#else
	gid_t gid;
	if (getpeereid(fd, &uid, &gid) != 0) {
		napi_throw_error(env, NULL, strerror(errno));
		return NULL;
	}
#endif
	napi_value result;
	napi_create_uint32(env, (uint32_t)uid, &result);
	return result;
}

NAPI_MODULE_INIT() {
	napi_value function;
	napi_create_function(env, "peerUid", NAPI_AUTO_LENGTH, PeerUid, NULL, &function);
	napi_set_named_property(env, exports, "peerUid", function);
	return exports;
}
