import { createInflate } from 'node:zlib';
import { RuntimeError } from '../errors/RuntimeError';
import { Semaphore } from '../util/Semaphore';

/** What a PNG's IHDR chunk says about the pixel data that its IDAT chunks inflate to. */
export interface PngHeader {
	readonly width: number;
	readonly height: number;
	readonly bitDepth: number;
	/** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
	readonly colourType: number;
	readonly interlaced: boolean;
}

/** Samples per pixel and the bit depths the PNG specification allows, by colour type. */
const colourTypes: ReadonlyMap<number, { readonly channels: number; readonly depths: readonly number[] }> = new Map([
	[0, { channels: 1, depths: [1, 2, 4, 8, 16] }],
	[2, { channels: 3, depths: [8, 16] }],
	[3, { channels: 1, depths: [1, 2, 4, 8] }],
	[4, { channels: 2, depths: [8, 16] }],
	[6, { channels: 4, depths: [8, 16] }],
]);

/** Adam7's seven passes: first column, first row, column step, row step. */
const adam7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/**
 * More inflated bytes than IHDR implies are allowed up to this much: stb_image ignores extra bytes
 * after the last row, and a writer may pad; 64 KiB is nothing next to a bomb's gigabyte.
 */
export const pngInflateSlack = 64 * 1024;

/** Inflating runs in libuv's pool; one PNG at a time, so image checks never take more than one thread. */
const inflateSlots = new Semaphore(1);

function badImage(message: string, action = 'Take or save the screenshot again.'): RuntimeError {
	return new RuntimeError({ code: 'badImage', message, action });
}

/** Reads IHDR (the first chunk, at byte 8) and checks the combination of colour type and bit depth. */
export function readPngHeader(png: Uint8Array): PngHeader {
	const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
	if (b.length < 33 || b.toString('latin1', 12, 16) !== 'IHDR') throw badImage('The PNG file is truncated or damaged.');
	const header = { width: b.readUInt32BE(16), height: b.readUInt32BE(20), bitDepth: b[24]!, colourType: b[25]!, interlaced: b[28] === 1 };
	if (!colourTypes.get(header.colourType)?.depths.includes(header.bitDepth) || b[26] !== 0 || b[27] !== 0 || b[28]! > 1) {
		throw badImage(`The PNG header is invalid (colour type ${header.colourType}, bit depth ${header.bitDepth}, method ${b[26]}/${b[27]}/${b[28]}).`);
	}
	return header;
}

/**
 * The exact number of bytes the IDAT stream inflates to for this header: every row is one filter
 * byte plus its packed samples, and an interlaced image is seven smaller images (Adam7), where a
 * pass with no columns or no rows has no bytes at all. The same count stb_image expects.
 */
export function pngRawSize({ width, height, bitDepth, colourType, interlaced }: PngHeader): number {
	const bitsPerPixel = (colourTypes.get(colourType)?.channels ?? 4) * bitDepth;
	const imageSize = (columns: number, rows: number) => (columns > 0 && rows > 0 ? rows * (1 + Math.ceil((columns * bitsPerPixel) / 8)) : 0);
	if (!interlaced) return imageSize(width, height);
	let total = 0;
	for (const [x0, y0, dx, dy] of adam7) {
		total += imageSize(Math.ceil(Math.max(0, width - x0) / dx), Math.ceil(Math.max(0, height - y0) / dy));
	}
	return total;
}

/** The IDAT chunks' data in file order, up to IEND, as stb_image concatenates them. */
export function pngIdatParts(png: Uint8Array): Buffer[] {
	const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
	const parts: Buffer[] = [];
	for (let at = 8; ; ) {
		if (at + 12 > b.length) throw badImage('The PNG file is truncated or damaged (a chunk runs past its end).');
		const length = b.readUInt32BE(at);
		const type = b.toString('latin1', at + 4, at + 8);
		const end = at + 12 + length;
		if (end > b.length) throw badImage('The PNG file is truncated or damaged (a chunk runs past its end).');
		if (type === 'IEND') return parts;
		if (type === 'IDAT') parts.push(b.subarray(at + 8, at + 8 + length));
		at = end;
	}
}

export interface CheckPngInflationOptions {
	/** Stops inflating and rejects with the signal's reason. Defaults to none. */
	readonly signal?: AbortSignal;
}

/**
 * Refuses a PNG whose compressed pixel data inflates to more than its declared dimensions need (a
 * decompression bomb), before stb_image, which grows its buffer without a limit, ever sees it. The
 * data is inflated with Node's zlib in 1 MiB pieces that are counted and dropped, so memory stays
 * flat however much a bomb would produce, and inflating stops one piece past the limit. Damaged
 * compressed data is refused too: stb_image would decode the same bytes.
 */
export async function checkPngInflation(png: Uint8Array, { signal }: CheckPngInflationOptions = {}): Promise<void> {
	const header = readPngHeader(png);
	const limit = pngRawSize(header) + pngInflateSlack;
	const parts = pngIdatParts(png);
	if (parts.length === 0) throw badImage('The PNG file has no image data (no IDAT chunk).');
	const release = await inflateSlots.acquire(signal);
	let produced: number;
	try {
		produced = await inflatedBytes(parts, limit, signal);
	} finally {
		release();
	}
	if (produced > limit) {
		throw badImage(
			`The PNG's compressed data inflates to more than its ${header.width}×${header.height} pixels need (a decompression bomb?).`,
			'Open the image in an image editor and save it again as a new PNG, or take the screenshot again.',
		);
	}
}

/** Inflates and counts the output; stops as soon as the count passes `limit`. */
function inflatedBytes(parts: readonly Buffer[], limit: number, signal: AbortSignal | undefined): Promise<number> {
	return new Promise((resolve, reject) => {
		const inflate = createInflate({ chunkSize: 1024 * 1024 });
		let total = 0;
		let settled = false;
		const settle = (result: { value: number } | { error: unknown }) => {
			if (settled) return;
			settled = true;
			signal?.removeEventListener('abort', onAbort);
			inflate.destroy();
			if ('value' in result) resolve(result.value); else reject(result.error);
		};
		const onAbort = () => settle({ error: signal!.reason });
		signal?.addEventListener('abort', onAbort, { once: true });
		inflate.on('data', (chunk: Buffer) => {
			total += chunk.length;
			if (total > limit) settle({ value: total });
		});
		inflate.on('end', () => settle({ value: total }));
		inflate.on('error', (error: NodeJS.ErrnoException) => settle({
			error: badImage(`The PNG's compressed data is damaged (${error.message}).`),
		}));
		if (signal?.aborted) return onAbort();
		for (const part of parts) inflate.write(part);
		inflate.end();
	});
}
