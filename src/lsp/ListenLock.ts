import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';

/**
 * The lock that makes one process the shared runtime of a build: `runtime-<hash>.lock` next to the
 * socket, created exclusively (`wx`) with the holder's pid and kept while it runs. Several starters
 * race after a crash (every window reconnects at once); only the one that creates the file goes on
 * to listen, the others exit and their windows connect to the winner. A lock whose pid is not a
 * listening Bora runtime any more (killed with -9) is stale: it is moved aside with an atomic rename
 * and taken over, and a starter that moved a live lock by mistake (it was replaced between the read
 * and the rename) puts it back and gives way.
 */
export class ListenLock {
	private held = false;

	constructor(readonly path: string) { }

	/** Takes the lock; `false` when a live runtime (or a starter about to be one) holds it. */
	async acquire(): Promise<boolean> {
		for (let attempt = 0; attempt < 5; attempt++) {
			try {
				const file = await open(this.path, 'wx', 0o600);
				await file.writeFile(String(process.pid));
				await file.close();
				this.held = true;
				return true;
			} catch (error) {
				if (codeOf(error) !== 'EEXIST') {
					throw error;
				}
			}
			const holder = await readPid(this.path);
			if (holder === undefined) {
				// Created but not written yet by another starter, or gone meanwhile: look again.
				await new Promise(resolve => setTimeout(resolve, 20));
				continue;
			}
			if (isListeningRuntime(holder)) {
				return false;
			}
			const aside = `${this.path}.stale-${process.pid}`;
			try {
				await rename(this.path, aside);
			} catch (error) {
				if (codeOf(error) === 'ENOENT') {
					continue;
				}
				throw error;
			}
			const moved = await readPid(aside);
			if (moved !== holder) {
				// Another starter took the lock between our read and our rename: give it back.
				await link(aside, this.path).catch(() => undefined);
				await unlink(aside).catch(() => undefined);
				return false;
			}
			await unlink(aside).catch(() => undefined);
		}
		return false;
	}

	/** Whether the lock file still names this process (a starter that lost a race sees another pid). */
	async stillHeld(): Promise<boolean> {
		return this.held && await readPid(this.path) === process.pid;
	}

	/** Synchronous, so it can run in an `exit` handler. */
	releaseSync(): void {
		if (!this.held) {
			return;
		}
		this.held = false;
		try {
			if (Number(readFileSync(this.path, 'utf8')) === process.pid) {
				// Removed only while it is ours.
				unlinkSync(this.path);
			}
		} catch {
			// Already gone.
		}
	}
}

async function readPid(path: string): Promise<number | undefined> {
	try {
		const pid = Number((await readFile(path, 'utf8')).trim());
		return Number.isInteger(pid) && pid > 0 ? pid : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Whether `pid` runs and is a Bora runtime started with `--listen` (on Linux its command line says
 * so; elsewhere a live pid counts), so a pid reused by another program after a crash is no lock.
 */
function isListeningRuntime(pid: number): boolean {
	if (pid === process.pid) {
		return false;
	}
	try {
		process.kill(pid, 0);
	} catch {
		// Gone (ESRCH), or running as another user (EPERM): not a runtime of ours either way.
		return false;
	}
	if (process.platform !== 'linux') {
		return true;
	}
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--listen');
	} catch {
		return false;
	}
}

function codeOf(error: unknown): string | undefined {
	return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
