import assert from 'node:assert/strict';
import { inspectImage, RuntimeError } from '../../src/runtime';
import { colours, encodePng, mostlyColouredPng } from '../models/vision/pngWriter';

function fails(bytes: Uint8Array, pattern: RegExp, options?: Parameters<typeof inspectImage>[1]) {
	assert.throws(() => inspectImage(bytes, options), (error: unknown) => error instanceof RuntimeError && error.code === 'badImage' && pattern.test(error.message));
}

describe('inspectImage: format, size and completeness from the header', () => {
	it('reads PNG, GIF, BMP and JPEG dimensions', () => {
		assert.deepEqual(inspectImage(encodePng(30, 20, () => colours.red)), { format: 'png', width: 30, height: 20 });
		const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([5, 0, 7, 0]), Buffer.alloc(10), Buffer.from([0x3b])]);
		assert.deepEqual(inspectImage(gif), { format: 'gif', width: 5, height: 7 });
		const bmp = Buffer.alloc(64);
		bmp.write('BM', 0, 'latin1');
		bmp.writeUInt32LE(64, 2);
		bmp.writeInt32LE(9, 18);
		bmp.writeInt32LE(-4, 22); // top-down BMPs have negative heights
		assert.deepEqual(inspectImage(bmp), { format: 'bmp', width: 9, height: 4 });
		const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0, 12, 0, 34, 3, 0, 0, 0, 0, 0xff, 0xd9]);
		assert.deepEqual(inspectImage(jpeg), { format: 'jpeg', width: 34, height: 12 });
	});

	it('says what is wrong with bad input', () => {
		const png = mostlyColouredPng(colours.blue);
		fails(Buffer.alloc(0), /empty/);
		fails(Buffer.from('hello world, this is text'), /not an image/);
		fails(png.subarray(0, png.length - 20), /truncated/);
		fails(encodePng(0, 0, () => colours.red), /0×0/);
		fails(png, /images up to/, { maxBytes: 100 });
		fails(png, /megapixels/, { maxPixels: 100 });
		fails(Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'), Buffer.alloc(20)]), /WebP/);
		fails(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0]), /truncated/);
	});
});
