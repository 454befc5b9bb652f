import { checkJpegScans } from './jpegScanLimit';
import { checkPngInflation } from './pngInflateBound';
import type { ImageInfo } from './imageInfo';

export interface CheckDecodedSizeOptions {
	/** Stops the check and rejects with the signal's reason. Defaults to none. */
	readonly signal?: AbortSignal;
}

/**
 * Refuses an image whose decoding would take more memory than its declared dimensions need, or
 * far more time than its size suggests, before stb_image (inside mtmd) decodes it. `inspectImage`
 * has already capped the dimensions at 64 megapixels; this closes the one format where the data
 * can outgrow them (PNG), and JPEG's scans.
 */
export async function checkDecodedSize(image: Uint8Array, info: ImageInfo, { signal }: CheckDecodedSizeOptions = {}): Promise<void> {
	switch (info.format) {
		case 'png':
			// stb_image inflates IDAT into a buffer it doubles without a limit: a zlib bomb of a few MB
			// becomes gigabytes. Inflated here first, against the size IHDR implies.
			return checkPngInflation(image, { signal });
		case 'jpeg':
			// Huffman-coded DCT blocks: stb_image allocates its component and coefficient buffers from
			// the frame header's dimensions (capped) and writes nothing past them. Memory is bounded;
			// time is not, as every scan is decoded over the whole image: scans are counted.
			return checkJpegScans(image);
		case 'gif':
			// LZW output goes into one frame buffer sized from the logical screen (capped); codes past
			// its end are dropped, and a frame outside the screen is an error.
		case 'bmp':
			// Uncompressed rows read straight into a buffer of the declared size (stb refuses RLE).
			return;
		default:
			void (info.format satisfies never);
	}
}
