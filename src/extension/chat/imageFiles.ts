/*
 * Images for "Explain this screenshot": what the pickers offer, what the bytes are, where the stored
 * copy goes and what the panel says about it. Pure: no VS Code, no file system.
 */
import { createHash } from 'node:crypto';

/** Extensions the file picker and the explorer menu offer (the runtime reads the format from the bytes). */
export const imageExtensions = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp'] as const;

/** The question sent when the user asks none. */
export const defaultImageQuestion = 'Explain this screenshot.';

/** Larger files are refused before they are read or copied; the runtime has the same limit. */
export const maxImageBytes = 50 * 1024 * 1024;

export interface ImageType {
	/** Extension of the stored copy, without the dot. */
	readonly ext: 'png' | 'jpg' | 'gif' | 'bmp' | 'webp';
	readonly mime: string;
}

/** The image format from the file's first bytes; undefined when they are not an image Bora knows. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
	const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
	if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) {
		return { ext: 'png', mime: 'image/png' };
	}
	if (starts(0xff, 0xd8, 0xff)) {
		return { ext: 'jpg', mime: 'image/jpeg' };
	}
	if (starts(0x47, 0x49, 0x46, 0x38)) {
		return { ext: 'gif', mime: 'image/gif' };
	}
	if (starts(0x42, 0x4d) && bytes.length >= 26) {
		return { ext: 'bmp', mime: 'image/bmp' };
	}
	if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') {
		return { ext: 'webp', mime: 'image/webp' };
	}
	return undefined;
}

/** Content-addressed name of the stored copy: the same image is stored once, whatever it was called. */
export function storedImageName(bytes: Uint8Array, type: ImageType): string {
	return `${createHash('sha256').update(bytes).digest('hex')}.${type.ext}`;
}

/** Why these bytes cannot be asked about, in words for the panel; undefined when they can. */
export function imageProblem(name: string, bytes: Uint8Array): string | undefined {
	const size = imageSizeProblem(name, bytes.length);
	if (size) {
		return size;
	}
	if (bytes.length === 0) {
		return `${name} is empty.`;
	}
	if (!sniffImageType(bytes)) {
		return `${name} is not an image Bora can read. Use a PNG, JPEG, GIF or BMP file.`;
	}
	return undefined;
}

/** Why a file of `size` bytes is refused before it is read; undefined when it is small enough. */
export function imageSizeProblem(name: string, size: number): string | undefined {
	return size > maxImageBytes
		? `${name} is ${megabytes(size)} MB; images up to ${megabytes(maxImageBytes)} MB are accepted. Crop or shrink the screenshot.`
		: undefined;
}

/** The caption under a thumbnail once the answer is in, e.g. `64×48 · 16 / 1024 image tokens`. */
export function describeImageUsage({ imageWidth, imageHeight, imageTokens, imageTokenBudget }: {
	readonly imageWidth: number; readonly imageHeight: number; readonly imageTokens: number; readonly imageTokenBudget: number;
}): string | undefined {
	if (imageTokens <= 0) {
		return undefined;
	}
	const size = imageWidth > 0 && imageHeight > 0 ? `${imageWidth}×${imageHeight} · ` : '';
	return `${size}${imageTokens} / ${imageTokenBudget} image tokens`;
}

/** The name shown on a chip: the file's base name, or `pasted image.png` for a paste without one. */
export function imageDisplayName(pathOrName: string | undefined, type: ImageType | undefined): string {
	const base = (pathOrName ?? '').split(/[\\/]/).pop()?.trim() ?? '';
	return base !== '' ? base : `pasted image.${type?.ext ?? 'png'}`;
}

function megabytes(bytes: number): string {
	return String(Math.round(bytes / (1024 * 1024)));
}
