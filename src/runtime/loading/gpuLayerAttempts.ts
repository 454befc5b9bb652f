/** What node-llama-cpp's `loadModel` accepts as `gpuLayers`: a count, `auto`, or `auto` leaving room for a context. */
export type GpuLayersChoice = number | 'auto' | { readonly fitContext: { readonly contextSize: number } };

export interface GpuLayerAttemptsInput {
	/** Whether llama.cpp runs on a GPU at all; on the CPU there is nothing to retry with. */
	readonly gpu: boolean;
	/** `bora.gpuLayers`: a forced count, or `auto`. */
	readonly gpuLayers: number | 'auto';
	/** Layers in the model, output layer included. */
	readonly totalLayers: number;
	/** The context automatic layers should leave room for. */
	readonly fitContextSize: number;
}

export interface GpuLayerAttempts {
	/** The choices to try in order, each after the one before ran out of memory. */
	readonly attempts: readonly GpuLayersChoice[];
	/** Attempts before this index are what was asked for; a load that succeeds later fell back and must say so. */
	readonly fallbackFrom: number;
}

/**
 * The load plan for out-of-memory recovery: automatic layers first leave room for the target context
 * (node-llama-cpp simulates the load in llama.cpp for that), then take the most layers that fit;
 * after that, and after a forced count, half the layers go on the GPU, then none. Fallbacks never
 * put more layers on the GPU than were forced.
 */
export function gpuLayerAttempts({ gpu, gpuLayers, totalLayers, fitContextSize }: GpuLayerAttemptsInput): GpuLayerAttempts {
	const first: GpuLayersChoice[] = gpuLayers === 'auto' ? [{ fitContext: { contextSize: fitContextSize } }, 'auto'] : [gpuLayers];
	if (!gpu) {
		return { attempts: first.slice(0, 1), fallbackFrom: 1 };
	}
	const fallbacks = [...new Set([Math.floor(totalLayers / 2), 0])].filter(layers => gpuLayers === 'auto' || layers < gpuLayers);
	return { attempts: [...first, ...fallbacks], fallbackFrom: first.length };
}

/** What the user reads when a load fell back to fewer GPU layers. */
export function fewerGpuLayersNotice(asked: number | 'auto', loadedLayers: number, totalLayers: number): string {
	const wanted = asked === 'auto' ? 'the automatic layer split' : `${asked} GPU layers`;
	return `Not enough GPU memory for ${wanted}: loaded with ${loadedLayers} of ${totalLayers} layers on the GPU instead, which is slower. Close other GPU programs or pick a smaller model for full speed.`;
}
