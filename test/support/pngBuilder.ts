import { createDeflate, crc32, deflateSync } from 'node:zlib';
import type { PngHeader } from '../../src/runtime';

function chunk(type: string, data: Buffer): Buffer {
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** A PNG with this IHDR and `idat` as its compressed data, split into IDAT chunks of `idatChunkBytes`. */
export function pngWithIdat(header: PngHeader, idat: Buffer, idatChunkBytes = 1 << 20): Buffer {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(header.width, 0);
	ihdr.writeUInt32BE(header.height, 4);
	ihdr.set([header.bitDepth, header.colourType, 0, 0, header.interlaced ? 1 : 0], 8);
	const idats: Buffer[] = [];
	for (let at = 0; at < idat.length; at += idatChunkBytes) idats.push(chunk('IDAT', idat.subarray(at, at + idatChunkBytes)));
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...idats, chunk('IEND', Buffer.alloc(0))]);
}

/** A PNG whose IDAT inflates to exactly `rawBytes` bytes: filter bytes 0, and every sample `fill`. */
export function pngWithRawSize(header: PngHeader, rawBytes: number, fill = 0): Buffer {
	return pngWithIdat(header, deflateSync(Buffer.alloc(rawBytes, fill)));
}

/**
 * A zlib stream of `bytes` zeros, deflated as a stream a megabyte at a time (level 1: 1 GiB takes
 * about a third of a second and 4.5 MB), so no test ever holds the inflated data.
 */
export async function deflatedZeros(bytes: number): Promise<Buffer> {
	const deflate = createDeflate({ level: 1, chunkSize: 1 << 16 });
	const out: Buffer[] = [];
	deflate.on('data', (piece: Buffer) => out.push(piece));
	const ended = new Promise((resolve, reject) => { deflate.on('end', resolve); deflate.on('error', reject); });
	const zeros = Buffer.alloc(1 << 20);
	for (let left = bytes; left > 0; left -= zeros.length) {
		if (!deflate.write(zeros.subarray(0, Math.min(left, zeros.length)))) await new Promise(resolve => deflate.once('drain', resolve));
	}
	deflate.end();
	await ended;
	return Buffer.concat(out);
}

/** A decompression bomb: a small RGB image whose IDAT inflates to `inflatedBytes` zeros. */
export async function pngBomb({ width = 64, height = 64, inflatedBytes = 1024 ** 3 }: { width?: number; height?: number; inflatedBytes?: number } = {}): Promise<Buffer> {
	return pngWithIdat({ width, height, bitDepth: 8, colourType: 2, interlaced: false }, await deflatedZeros(inflatedBytes));
}

/**
 * A progressive JPEG skeleton with `scans` scans (no Huffman tables: for counting, not decoding).
 * An APP1 segment holds the bytes of an SOS marker, and each scan's data has a stuffed 0xFF and a
 * restart marker, none of which is a scan.
 */
export function jpegWithScans(scans: number, { width = 16, height = 16 }: { width?: number; height?: number } = {}): Buffer {
	const segment = (marker: number, payload: number[]) => [0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
	const sof2 = segment(0xc2, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]);
	const scan = [...segment(0xda, [1, 1, 0, 0, 0, 0]), 0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56];
	return Buffer.from([0xff, 0xd8, ...segment(0xe1, [0x45, 0x78, 0xff, 0xda, 0xff, 0xda]), ...sof2, ...Array.from({ length: scans }, () => scan).flat(), 0xff, 0xd9]);
}
