import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { RuntimeError } from '../errors/RuntimeError';
import { abortable } from '../util/abortable';
import { Semaphore } from '../util/Semaphore';
import { imageLimits } from './imageInfo';

/**
 * Image reads in flight at once. Every step of a read (stat, open, read) takes a thread of libuv's
 * pool until the kernel answers, and a read on a hung network mount may never answer: two slots
 * keep such reads from ever holding more than two of the pool's threads, whatever the pool size, so
 * model loads, generation and the vision addon (which run in the same pool) always find one.
 */
export const imageReadSlots = new Semaphore(2);

export interface ReadImageFileOptions {
	/** Larger files are refused before they are read. Defaults to `imageLimits.maxBytes` (50 MB). */
	readonly maxBytes?: number;
	/**
	 * The whole read, waiting for a slot included: a local 50 MB file takes well under a second, so
	 * only a stuck or very slow file system reaches it. Defaults to `10000` ms.
	 */
	readonly timeoutMs?: number;
	/** Reads allowed at once. Defaults to {@link imageReadSlots}, shared by the whole runtime. */
	readonly slots?: Semaphore;
	/** Stops waiting and rejects with the signal's reason. Defaults to none. */
	readonly signal?: AbortSignal;
}

/** Why a file that is not a regular file cannot be an image; `undefined` for a regular file. */
export function notRegularFileReason(stats: Stats): string | undefined {
	if (stats.isFile()) return undefined;
	if (stats.isDirectory()) return 'a directory';
	if (stats.isFIFO()) return 'a named pipe (FIFO)';
	if (stats.isSocket()) return 'a socket';
	if (stats.isCharacterDevice()) return 'a character device';
	if (stats.isBlockDevice()) return 'a block device';
	return 'not a file';
}

/**
 * Reads an image file whole, if it is a regular file of at most `maxBytes`. A directory, FIFO,
 * socket or device is refused at once: the path is stat'ed first (nothing is opened that is not a
 * file), then opened with O_NONBLOCK and O_NOCTTY (so a FIFO swapped in meanwhile never waits for a
 * writer and a terminal never becomes ours) and checked again on the handle. Throws a `badImage`
 * RuntimeError that says what is wrong.
 */
export async function readImageFile(path: string, { maxBytes = imageLimits.maxBytes, timeoutMs = 10_000, slots = imageReadSlots, signal }: ReadImageFileOptions = {}): Promise<Buffer> {
	const timeout = AbortSignal.timeout(timeoutMs);
	const stop = signal ? AbortSignal.any([signal, timeout]) : timeout;
	const timedOut = () => new RuntimeError({
		code: 'badImage',
		message: `Reading the image ${path} took longer than ${timeoutMs / 1000} s; its drive may be slow or not answering.`,
		action: 'Copy the image to a local folder and pick it again.',
	});
	let release: () => void;
	try {
		release = await slots.acquire(stop);
	} catch (error) {
		throw timeout.aborted && error === timeout.reason ? timedOut() : error;
	}
	// The slot is given back when the file system answers, not at the timeout: until then a pool
	// thread is still taken, and that is what the slots count.
	const read = readRegularFile(path, maxBytes);
	read.finally(release).catch(() => undefined);
	try {
		return await abortable(read, stop);
	} catch (error) {
		throw timeout.aborted && error === timeout.reason ? timedOut() : error;
	}
}

async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
	checkKindAndSize(path, await stat(path).catch((error: unknown) => { throw cannotRead(path, error); }), maxBytes);
	const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
	const file = await open(path, flags).catch((error: unknown) => { throw cannotRead(path, error); });
	try {
		const { size } = checkKindAndSize(path, await file.stat(), maxBytes);
		const buffer = Buffer.alloc(size);
		let filled = 0;
		while (filled < size) {
			const { bytesRead } = await file.read(buffer, filled, size - filled, filled);
			if (bytesRead === 0) break;
			filled += bytesRead;
		}
		return buffer.subarray(0, filled);
	} catch (error) {
		throw error instanceof RuntimeError ? error : cannotRead(path, error);
	} finally {
		await file.close();
	}
}

function checkKindAndSize(path: string, stats: Stats, maxBytes: number): Stats {
	const reason = notRegularFileReason(stats);
	if (reason) {
		throw new RuntimeError({ code: 'badImage', message: `The image path ${path} is ${reason}, not a regular file.`, action: 'Pick an image file (PNG, JPEG, GIF or BMP).' });
	}
	if (stats.size > maxBytes) {
		throw new RuntimeError({ code: 'badImage', message: `The image is ${Math.round(stats.size / (1024 * 1024))} MB; images up to ${maxBytes / (1024 * 1024)} MB are accepted.`, action: 'Crop or shrink the screenshot.' });
	}
	return stats;
}

function cannotRead(path: string, error: unknown): RuntimeError {
	const code = (error as NodeJS.ErrnoException).code;
	const message = code === 'ENOENT' ? `The image ${path} does not exist.` : `The image ${path} cannot be read (${code ?? String(error)}).`;
	return new RuntimeError({ code: 'badImage', message, action: 'Pick the image again.' }, { cause: error });
}
