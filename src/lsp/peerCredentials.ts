import type { Socket } from 'node:net';
import type { Logger } from '../runtime';

let saidOnce = false;

/**
 * Checks who connected to the shared runtime; returns why the peer is refused, or nothing. Node has
 * no API for a Unix socket's peer credentials (`SO_PEERCRED` on Linux, `getpeereid` on macOS), and
 * Bora's only native addon (vision) links llama.cpp, so loading it before node-llama-cpp has chosen
 * its backend could load a second libllama: the peer is not checked natively yet. The guard is the
 * folder: the socket lives in a directory of mode 0700 owned by this user (checked at start, see
 * `checkRuntimeFolder`), which no other user can enter, so no other user reaches the socket; on
 * Windows the named pipe's default ACL admits only this user and administrators.
 */
export function checkPeer(_socket: Socket, logger: Logger): string | undefined {
	if (!saidOnce) {
		saidOnce = true;
		logger.info('Peer credentials are not checked natively; the folder permissions (0700, this user only) are the guard against other users.');
	}
	return undefined;
}
