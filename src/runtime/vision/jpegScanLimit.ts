import { RuntimeError } from '../errors/RuntimeError';

/**
 * Scans accepted in one JPEG. stb_image decodes every scan over the whole image and sets no limit
 * of its own, so its decoding time grows with scans × pixels, and a scan costs about ten bytes: a
 * small file can ask for thousands of passes over 64 megapixels. A progressive JPEG from an encoder
 * has about 10 (libjpeg's default script) to 20.
 */
export const maxJpegScans = 100;

const isRestart = (marker: number) => marker >= 0xd0 && marker <= 0xd7;

/**
 * The number of scans (SOS segments) in a JPEG, found by walking its segments: a segment's payload
 * (an EXIF thumbnail, say) is skipped by its length, and entropy-coded data runs to the next 0xFF
 * that is not a stuffed 0x00, a restart marker or fill.
 */
export function jpegScanCount(jpeg: Uint8Array): number {
	const b = jpeg;
	let scans = 0;
	let at = 2; // after SOI
	while (at + 1 < b.length) {
		if (b[at] !== 0xff) { at++; continue; }
		const marker = b[at + 1]!;
		if (marker === 0xd9) break; // EOI
		if (marker === 0xff) { at++; continue; }
		if (marker === 0x00 || marker === 0x01 || marker === 0xd8 || isRestart(marker)) { at += 2; continue; }
		if (at + 4 > b.length) break;
		at += 2 + ((b[at + 2]! << 8) | b[at + 3]!);
		if (marker === 0xda) {
			scans++;
			while (at + 1 < b.length && !(b[at] === 0xff && b[at + 1] !== 0x00 && b[at + 1] !== 0xff && !isRestart(b[at + 1]!))) at++;
		}
	}
	return scans;
}

/** Refuses a JPEG with more than {@link maxJpegScans} scans, a decoding-time bomb. */
export function checkJpegScans(jpeg: Uint8Array, { maxScans = maxJpegScans }: { /** Defaults to {@link maxJpegScans}. */ maxScans?: number } = {}): void {
	const scans = jpegScanCount(jpeg);
	if (scans > maxScans) {
		throw new RuntimeError({
			code: 'badImage',
			message: `The JPEG has ${scans} scans; at most ${maxScans} are accepted (an encoder writes about 10; each one is decoded over the whole image).`,
			action: 'Save the image again as PNG, or as a baseline JPEG.',
		});
	}
}
