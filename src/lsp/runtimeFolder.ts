import { lstat, mkdir } from 'node:fs/promises';

/**
 * Creates the shared runtime's per-user folder (mode 0700) and checks it is safe to listen in: a real
 * directory, not a symlink, owned by this user, that nobody else can open. Whoever can open the
 * folder can connect to the socket, so on macOS (and on Linux without the native peer check) this is
 * the guard against other users. Returns why it is not safe, or nothing when it is. On Windows the
 * named pipe has no folder: the pipe's default ACL is the guard.
 */
export async function checkRuntimeFolder(directory: string, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
	if (platform === 'win32') {
		return undefined;
	}
	await mkdir(directory, { recursive: true, mode: 0o700 });
	const info = await lstat(directory);
	if (info.isSymbolicLink()) {
		return `${directory} is a symbolic link; the shared runtime's folder must be a real directory.`;
	}
	if (!info.isDirectory()) {
		return `${directory} is not a directory.`;
	}
	const uid = process.getuid?.();
	if (uid !== undefined && info.uid !== uid) {
		return `${directory} belongs to uid ${info.uid}, not to this user (uid ${uid}).`;
	}
	if ((info.mode & 0o777) !== 0o700) {
		return `${directory} has mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}; it must be 0700 so that no other user can reach the socket.`;
	}
	return undefined;
}
