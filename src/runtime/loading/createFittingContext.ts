import { InsufficientMemoryError, type LlamaContext } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { detectHardware } from '../catalog/detectHardware';
import { estimateFit, fitsNow } from '../catalog/estimateFit';
import { contextFlashAttention } from './contextFlashAttention';
import type { LoadedModel } from './loadModel';

export interface CreateFittingContextOptions {
	/** Context tokens wanted. */
	readonly contextSize: number;
	readonly threads: number;
	/**
	 * What to fall back to when the wanted size does not fit: the engine's automatic size, taken
	 * only as far as the free memory allows. Never the most that fits: a too-large setting must not
	 * turn into a context that takes all of the RAM.
	 */
	readonly fallbackContextSize: number;
	/** Tokens evaluated in one batch (node-llama-cpp makes it the micro-batch too), at most the context's. Defaults to node-llama-cpp's (512). */
	readonly batchSize?: number;
	/** Below this many tokens the context is not worth having; the error is reported instead. Defaults to `512`. */
	readonly minContextSize?: number;
}

export interface FittingContext {
	readonly context: LlamaContext;
	/** Tokens the context really has. */
	readonly contextSize: number;
	/** Set when the wanted size did not fit and a smaller one was created. */
	readonly notice?: string;
}

/**
 * Creates a one-sequence context of the wanted size; when node-llama-cpp's memory safety check
 * refuses it (InsufficientMemoryError: the KV cache would not fit the free RAM or VRAM), retries
 * with the fallback size as far as the header-based fit finds room for it now, then halves, down
 * to `minContextSize`. A context that is smaller than asked beats no completion at all.
 */
export async function createFittingContext(loaded: LoadedModel, { contextSize, threads, fallbackContextSize, minContextSize = 512, batchSize }: CreateFittingContextOptions): Promise<FittingContext> {
	let size = contextSize;
	let refused: unknown;
	for (;;) {
		try {
			const context = await loaded.model.createContext({ contextSize: size, sequences: 1, threads, flashAttention: contextFlashAttention, ...(batchSize === undefined ? {} : { batchSize: Math.min(batchSize, size) }) });
			if (size === contextSize) {
				return { context, contextSize: size };
			}
			const notice = `Not enough memory for a ${contextSize}-token context: using ${size} tokens instead. Lower bora.contextSize (0 chooses automatically), or close other programs.`;
			return { context, contextSize: size, notice };
		} catch (error) {
			if (!(error instanceof InsufficientMemoryError)) {
				throw error;
			}
			refused ??= error;
			const next = await smallerContextSize(loaded, size, fallbackContextSize);
			if (next < minContextSize) {
				throw RuntimeError.from(refused, {
					code: 'outOfMemory',
					message: `Not enough memory for a context of even ${minContextSize} tokens with ${loaded.info.name}`,
					action: 'Close other programs, choose a smaller model, or set bora.gpu to "off" to use system RAM.',
				});
			}
			size = next;
		}
	}
}

/** Below `failed`: the fallback size, or what of it the fit expects to fit now; half of `failed` when the fit knows of nothing. */
async function smallerContextSize(loaded: LoadedModel, failed: number, fallback: number): Promise<number> {
	const half = Math.floor(failed / 2);
	// The split as loaded: its GPU layers and, for a Mixture-of-Experts model, the experts it keeps in RAM.
	const cpuExpertLayers = loaded.fit.placement?.cpuExpertLayers;
	const fit = estimateFit(loaded.estimates, await detectHardware(loaded.model.llama), {
		targetContextSize: fallback, minContextSize: 256, gpuLayers: loaded.gpuLayers, ...(cpuExpertLayers === undefined ? {} : { cpuExpertLayers }),
	});
	return Math.min(half, fitsNow(fit.level) && fit.placement ? fit.placement.contextSize : half);
}
