import { open, stat } from 'node:fs/promises';
import type { Llama } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { checkGgufHeader } from '../loading/checkGgufHeader';
import { inspectModelFile } from '../loading/inspectModelFile';
import { formatBytes } from '../../shared/formatBytes';

export interface VerifyDownloadOptions {
	/** The size the server announced; the file must have exactly this many bytes. Defaults to no size check. */
	readonly expectedBytes?: number;
	/** Also check that llama.cpp can run it (not for an mmproj). Defaults to `true`. */
	readonly loadable?: boolean;
	readonly signal?: AbortSignal;
}

const downloadAgain = 'Download it again; if it fails again, the file on the server may be damaged — pick another model.';

/**
 * Checks a downloaded file before it replaces anything: its size is what the server announced, it
 * starts with the GGUF header, its header's counts fit in the file, and (for models) its header parses, describes no more bytes than the
 * file has, and names an architecture this llama.cpp runs.
 */
export async function verifyDownload(llama: Llama, filePath: string, { expectedBytes, loadable = true, signal }: VerifyDownloadOptions = {}): Promise<void> {
	const { size } = await stat(filePath);
	if (expectedBytes !== undefined && expectedBytes > 0 && size !== expectedBytes) {
		throw new RuntimeError({
			code: 'verificationFailed',
			message: `The download of ${filePath} is incomplete: ${formatBytes(size)} of ${formatBytes(expectedBytes)} (${size} of ${expectedBytes} bytes).`,
			action: downloadAgain,
		});
	}
	const handle = await open(filePath, 'r');
	const magic = Buffer.alloc(4);
	try {
		await handle.read(magic, 0, 4, 0);
	} finally {
		await handle.close();
	}
	if (magic.toString('latin1') !== 'GGUF') {
		throw new RuntimeError({ code: 'verificationFailed', message: `The downloaded file ${filePath} is not a GGUF model (it does not start with "GGUF").`, action: downloadAgain });
	}
	try {
		if (loadable) {
			await inspectModelFile(llama, filePath, signal);
		} else {
			// An mmproj or a later part of a split model: llama.cpp still reads its header, counts and all.
			await checkGgufHeader(filePath, signal ? { signal } : {});
		}
	} catch (error) {
		if (error instanceof RuntimeError) {
			throw new RuntimeError({ code: 'verificationFailed', message: `The downloaded model failed verification: ${error.message}`, action: error.code === 'unsupportedModel' ? error.action : downloadAgain }, { cause: error });
		}
		throw error;
	}
}
