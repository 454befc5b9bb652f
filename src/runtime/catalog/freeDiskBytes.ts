import { mkdir, statfs } from 'node:fs/promises';

/** Bytes an unprivileged process may still write on the file system that holds `dir`. */
export async function freeDiskBytes(dir: string): Promise<number> {
	await mkdir(dir, { recursive: true });
	const stats = await statfs(dir);
	return Number(stats.bavail) * Number(stats.bsize);
}
