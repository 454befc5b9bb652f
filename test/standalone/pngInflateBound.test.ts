import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { checkDecodedSize, checkPngInflation, inspectImage, pngIdatParts, pngInflateSlack, pngRawSize, readPngHeader, type PngHeader } from '../../src/runtime';
import { deflatedZeros, pngBomb, pngWithIdat, pngWithRawSize } from '../support/pngBuilder';
import { rejectsWithRuntimeError } from '../support/rejectsWith';

/** The PNG specification's Adam7 pattern: the pass (1–7) of each pixel in every 8×8 tile. */
const adam7Pattern = [
	[1, 6, 4, 6, 2, 6, 4, 6],
	[7, 7, 7, 7, 7, 7, 7, 7],
	[5, 6, 5, 6, 5, 6, 5, 6],
	[7, 7, 7, 7, 7, 7, 7, 7],
	[3, 6, 4, 6, 3, 6, 4, 6],
	[7, 7, 7, 7, 7, 7, 7, 7],
	[5, 6, 5, 6, 5, 6, 5, 6],
	[7, 7, 7, 7, 7, 7, 7, 7],
];

const channels: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const depths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/** Counted pixel by pixel, independently of pngRawSize's pass arithmetic: rows and columns each pass touches. */
function bruteForceRawSize({ width, height, bitDepth, colourType, interlaced }: PngHeader): number {
	const bitsPerPixel = channels[colourType]! * bitDepth;
	const rowBytes = (columns: number) => 1 + Math.ceil((columns * bitsPerPixel) / 8);
	if (!interlaced) return height * rowBytes(width);
	let total = 0;
	for (let pass = 1; pass <= 7; pass++) {
		const columns = new Set<number>();
		const rows = new Set<number>();
		for (let y = 0; y < height; y++) {
			for (let x = 0; x < width; x++) {
				if (adam7Pattern[y % 8]![x % 8] === pass) { columns.add(x); rows.add(y); }
			}
		}
		if (columns.size > 0) total += rows.size * rowBytes(columns.size);
	}
	return total;
}

const rgb8 = (width: number, height: number, interlaced = false): PngHeader => ({ width, height, bitDepth: 8, colourType: 2, interlaced });

describe('PNG inflate bound: the raw size IHDR implies, and refusing more', () => {
	it('pngRawSize: one filter byte per row plus packed samples', () => {
		assert.equal(pngRawSize(rgb8(64, 64)), 64 * (1 + 64 * 3));
		assert.equal(pngRawSize({ width: 3, height: 1, bitDepth: 1, colourType: 0, interlaced: false }), 2);
		assert.equal(pngRawSize({ width: 9, height: 2, bitDepth: 1, colourType: 3, interlaced: false }), 2 * (1 + 2));
		assert.equal(pngRawSize({ width: 10, height: 10, bitDepth: 16, colourType: 6, interlaced: false }), 10 * (1 + 80));
		assert.equal(pngRawSize({ width: 5, height: 3, bitDepth: 4, colourType: 0, interlaced: false }), 3 * (1 + 3));
	});

	it('pngRawSize: interlaced images are seven passes, and an empty pass has no bytes', () => {
		assert.equal(pngRawSize(rgb8(1, 1, true)), 1 + 3);
		// 8×8 grey: passes of 1×1, 1×1, 2×1, 2×2, 4×2, 4×4, 8×4 pixels.
		assert.equal(pngRawSize({ width: 8, height: 8, bitDepth: 8, colourType: 0, interlaced: true }), 2 + 2 + 3 + 2 * 3 + 2 * 5 + 4 * 5 + 4 * 9);
		// 64 MP RGBA 16-bit, the largest image accepted: 512 MiB of samples plus filter bytes.
		assert.equal(pngRawSize({ width: 8192, height: 8192, bitDepth: 16, colourType: 6, interlaced: false }), 8192 * (1 + 8192 * 8));
	});

	it('pngRawSize matches a pixel-by-pixel count for every colour type, bit depth and size up to 19×19, interlaced or not', () => {
		for (const colourType of [0, 2, 3, 4, 6]) {
			for (const bitDepth of depths[colourType]!) {
				for (let width = 1; width < 20; width++) {
					for (let height = 1; height < 20; height++) {
						for (const interlaced of [false, true]) {
							const header = { width, height, bitDepth, colourType, interlaced };
							assert.equal(pngRawSize(header), bruteForceRawSize(header), JSON.stringify(header));
						}
					}
				}
			}
		}
	});

	it('readPngHeader refuses colour type and bit depth combinations the specification does not allow', () => {
		assert.deepEqual(readPngHeader(pngWithRawSize(rgb8(4, 4, true), pngRawSize(rgb8(4, 4, true)))), rgb8(4, 4, true));
		assert.throws(() => readPngHeader(pngWithRawSize({ width: 4, height: 4, bitDepth: 4, colourType: 2, interlaced: false }, 100)), rejectsWithRuntimeError('badImage', /colour type 2, bit depth 4/));
		assert.throws(() => readPngHeader(pngWithRawSize({ width: 4, height: 4, bitDepth: 8, colourType: 5, interlaced: false }, 100)), rejectsWithRuntimeError('badImage', /colour type 5/));
	});

	it('accepts IDAT data of exactly the raw size, interlaced or not, and up to the slack beyond it', async () => {
		for (const header of [rgb8(64, 64), rgb8(63, 17, true), { width: 33, height: 7, bitDepth: 1, colourType: 0, interlaced: true }]) {
			const raw = pngRawSize(header);
			await checkPngInflation(pngWithRawSize(header, raw));
			await checkPngInflation(pngWithRawSize(header, raw + pngInflateSlack));
			await assert.rejects(checkPngInflation(pngWithRawSize(header, raw + pngInflateSlack + 1)), rejectsWithRuntimeError('badImage', /inflates to more than its \d+×\d+ pixels need \(a decompression bomb\?\)/));
		}
	});

	it('refuses a bomb split over many IDAT chunks, read as one stream as stb_image does', async () => {
		const idat = await deflatedZeros(64 * 1024 * 1024);
		const png = pngWithIdat(rgb8(64, 64), idat, 4096);
		assert.equal(pngIdatParts(png).length, Math.ceil(idat.length / 4096));
		assert.deepEqual(Buffer.concat(pngIdatParts(png)), idat);
		await assert.rejects(checkPngInflation(png), rejectsWithRuntimeError('badImage', /^The PNG's compressed data inflates to more than its 64×64 pixels need \(a decompression bomb\?\)\.$/));
		// The same through the format dispatch the vision engine calls.
		await assert.rejects(checkDecodedSize(png, inspectImage(png)), rejectsWithRuntimeError('badImage', /decompression bomb/));
	});

	it('refuses damaged compressed data, no IDAT, and a chunk that runs past the end', async () => {
		const good = deflateSync(Buffer.alloc(pngRawSize(rgb8(8, 8))));
		const damaged = Buffer.from(good);
		damaged[2] = 0xff; // the first deflate block header: an invalid block type
		await assert.rejects(checkPngInflation(pngWithIdat(rgb8(8, 8), damaged)), rejectsWithRuntimeError('badImage', /compressed data is damaged/));
		await assert.rejects(checkPngInflation(pngWithIdat(rgb8(8, 8), good.subarray(0, good.length - 6))), rejectsWithRuntimeError('badImage', /compressed data is damaged/));
		await assert.rejects(checkPngInflation(pngWithIdat(rgb8(8, 8), Buffer.alloc(0))), rejectsWithRuntimeError('badImage', /no image data/));
		const cut = pngWithIdat(rgb8(8, 8), good);
		cut.writeUInt32BE(good.length + 1000, 33); // the IDAT chunk's length
		await assert.rejects(checkPngInflation(cut), rejectsWithRuntimeError('badImage', /runs past its end/));
	});

	it('stops when the signal aborts, with its reason', async () => {
		const controller = new AbortController();
		controller.abort(new Error('cancelled by the test'));
		await assert.rejects(checkPngInflation(await pngBomb({ inflatedBytes: 16 * 1024 * 1024 }), { signal: controller.signal }), /cancelled by the test/);
	});
});
