import { RuntimeError } from '../errors/RuntimeError';

/** Formats llama.cpp's image reader (stb_image) decodes. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp';

export interface ImageInfo {
	readonly format: ImageFormat;
	readonly width: number;
	readonly height: number;
}

/** Larger files are refused before they are read whole. Defaults used by the runtime. */
export const imageLimits = { maxBytes: 50 * 1024 * 1024, maxPixels: 64 * 1024 * 1024 } as const;

function badImage(message: string, action = 'Use a PNG, JPEG, GIF or BMP screenshot.'): RuntimeError {
	return new RuntimeError({ code: 'badImage', message, action });
}

/**
 * Checks an image's header before any decoder sees it: the format (by its magic bytes, never the
 * file name), the dimensions, and that the file is complete. Throws a `badImage` RuntimeError
 * that says what is wrong.
 */
export function inspectImage(bytes: Uint8Array, { maxBytes = imageLimits.maxBytes, maxPixels = imageLimits.maxPixels }: { maxBytes?: number; maxPixels?: number } = {}): ImageInfo {
	const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (b.length === 0) throw badImage('The image file is empty.');
	if (b.length > maxBytes) throw badImage(`The image is ${mb(b.length)}; images up to ${mb(maxBytes)} are accepted.`, 'Crop or shrink the screenshot.');
	const info = sniff(b);
	if (info.width <= 0 || info.height <= 0) throw badImage(`The image is ${info.width}×${info.height} pixels: it has nothing to look at.`);
	if (info.width * info.height > maxPixels) throw badImage(`The image is ${info.width}×${info.height} pixels; at most ${Math.round(maxPixels / 1e6)} megapixels are accepted.`, 'Shrink the screenshot.');
	return info;
}

function mb(bytes: number): string {
	return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function truncated(format: string): RuntimeError {
	return badImage(`The ${format} file is truncated or damaged.`, 'Take or save the screenshot again.');
}

function sniff(b: Buffer): ImageInfo {
	const ascii = (start: number, end: number) => b.subarray(start, end).toString('latin1');
	if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) {
		if (b.length < 33 || ascii(12, 16) !== 'IHDR') throw truncated('PNG');
		if (b.length < 45 || ascii(b.length - 8, b.length - 4) !== 'IEND') throw truncated('PNG');
		return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
	}
	if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(b);
	if (b.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) {
		if (b.length < 14 || b[b.length - 1] !== 0x3b) throw truncated('GIF');
		return { format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
	}
	if (b.length >= 2 && ascii(0, 2) === 'BM') {
		if (b.length < 26 || b.readUInt32LE(2) > b.length) throw truncated('BMP');
		return { format: 'bmp', width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)) };
	}
	if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') {
		throw badImage('WebP images are not supported yet by the local image reader.', 'Save the screenshot as PNG or JPEG.');
	}
	const other = [['II*\0', 'TIFF'], ['MM\0*', 'TIFF'], ['%PDF', 'PDF'], ['<svg', 'SVG'], ['<?xm', 'SVG/XML']].find(([magic]) => ascii(0, 4) === magic);
	if (other) throw badImage(`${other[1]} files are not supported.`, 'Save the screenshot as PNG or JPEG.');
	if (b.length >= 12 && ascii(4, 8) === 'ftyp') throw badImage('HEIC/AVIF images are not supported.', 'Save the screenshot as PNG or JPEG.');
	throw badImage('The file is not an image Bora can read (no PNG, JPEG, GIF or BMP header).');
}

function jpeg(b: Buffer): ImageInfo {
	let at = 2;
	while (at + 9 < b.length) {
		if (b[at] !== 0xff) { at++; continue; }
		const marker = b[at + 1]!;
		if (marker === 0xff) { at++; continue; }
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; }
		const length = b.readUInt16BE(at + 2);
		const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isFrame) {
			if (b.length < 4 || b[b.length - 2] !== 0xff || b[b.length - 1] !== 0xd9) throw truncated('JPEG');
			return { format: 'jpeg', width: b.readUInt16BE(at + 7), height: b.readUInt16BE(at + 5) };
		}
		at += 2 + length;
	}
	throw truncated('JPEG');
}
