import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../runtime';

/** The N-API surface of `src/lsp/native/peer.c`. */
interface PeerAddon {
	/** The uid of the process at the other end of the connected Unix socket `fd`; throws with the OS error otherwise. */
	peerUid(fd: number): number;
}

const addonFile = 'bora-peer.node';
let loaded: { addon: PeerAddon } | { reason: string } | undefined;
let saidUnavailable = false;

/**
 * Checks who connected to the shared runtime; returns why the peer is refused, or nothing. On Linux
 * (SO_PEERCRED) and macOS (getpeereid) a client of another uid is refused, through Bora's tiny
 * peer-credentials addon, since Node has no API for it. Without the addon (not built, Windows) the
 * folder is the guard: the socket lives in a directory of mode 0700 owned by this user (checked at
 * start, see `checkRuntimeFolder`), which no other user can enter; on Windows the named pipe's
 * default ACL admits only this user and administrators. That is said once in the log.
 */
export function checkPeer(socket: Socket, logger: Logger): string | undefined {
	const found = loadPeerAddon();
	if ('reason' in found) {
		if (!saidUnavailable) {
			saidUnavailable = true;
			logger.info(`Peer credentials are not checked (${found.reason}); the folder permissions (0700, this user only) are the guard against other users.`);
		}
		return undefined;
	}
	const fd = fdOf(socket);
	const ownUid = process.getuid?.();
	if (fd === undefined || ownUid === undefined) {
		return refuse(logger, 'its socket has no file descriptor to check');
	}
	let peer: number;
	try {
		peer = found.addon.peerUid(fd);
	} catch (error) {
		return refuse(logger, `its credentials could not be read: ${error instanceof Error ? error.message : String(error)}`);
	}
	return peer === ownUid ? undefined : refuse(logger, `it runs as uid ${peer}, not as this user (uid ${ownUid})`);
}

function refuse(logger: Logger, why: string): string {
	const reason = `Refused a connection: ${why}.`;
	logger.warn(reason);
	return reason;
}

/** libuv's descriptor of an accepted socket: Node keeps it on the internal handle, typed nowhere. */
function fdOf(socket: Socket): number | undefined {
	const handle: unknown = Reflect.get(socket, '_handle');
	const fd: unknown = typeof handle === 'object' && handle !== null ? Reflect.get(handle, 'fd') : undefined;
	return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** `native/` next to the bundle (dist/server.mjs), else `dist/native/` above it; loaded once. */
function loadPeerAddon(): { addon: PeerAddon } | { reason: string } {
	if (loaded) {
		return loaded;
	}
	loaded = { reason: `${addonFile} is not installed (npm run build builds it with cmake)` };
	for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
		const candidate = [join(dir, 'native', addonFile), join(dir, 'dist', 'native', addonFile)].find(path => existsSync(path) || existsSync(path.replace(/\.node$/, '.unavailable.txt')));
		if (!candidate) {
			continue;
		}
		if (!existsSync(candidate)) {
			loaded = { reason: `the addon was not built: ${readFileSync(candidate.replace(/\.node$/, '.unavailable.txt'), 'utf8').trim()}` };
			break;
		}
		try {
			loaded = { addon: createRequire(import.meta.url)(candidate) as PeerAddon };
		} catch (error) {
			loaded = { reason: `${candidate} could not be loaded: ${error instanceof Error ? error.message : String(error)}` };
		}
		break;
	}
	return loaded;
}

/** @internal For tests: the addon's `peerUid`, or why there is none. */
export function _peerUidFunction(): ((fd: number) => number) | string {
	const found = loadPeerAddon();
	return 'addon' in found ? fd => found.addon.peerUid(fd) : found.reason;
}
