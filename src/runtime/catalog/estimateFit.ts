import { bandwidthOf, bandwidthTokensPerSecond } from './checkFit';
export { fitsNow } from './checkFit';
import { formatBytes } from '../../shared/formatBytes';
import type { FitLevel, FitPlacement, HardwareInfo, ModelFit } from '../../shared/modelTypes';

/** Bytes in RAM and in GPU memory. */
export interface MemoryUse {
	readonly ram: number;
	readonly vram: number;
}

/**
 * Memory estimates for one GGUF, as node-llama-cpp's `GgufInsights` computes them from the header
 * (see `fitEstimatesFromInsights`). Behind plain functions so the decision below can be tested with
 * made-up numbers as well as with real insights.
 */
export interface FitEstimates {
	readonly totalLayers: number;
	/** Context the model was trained for; the fit never goes above it. */
	readonly trainContextSize: number;
	/** Bytes of all weights, for the speed estimate. */
	readonly modelBytes: number;
	/** The weights with `gpuLayers` layers offloaded. */
	model(gpuLayers: number): MemoryUse;
	/** One context of `contextSize` tokens (KV cache and compute buffers) for a model with `gpuLayers` offloaded. */
	context(contextSize: number, gpuLayers: number): MemoryUse;
}

export interface EstimateFitOptions {
	/** Context wanted; the fit takes the largest that fits up to this (and the trained size). Defaults to `8192`. */
	readonly targetContextSize?: number;
	/** Smallest context worth running; below it the model does not fit. Defaults to `1024`. */
	readonly minContextSize?: number;
	/** Layers to offload, as `bora.gpuLayers` forces them; defaults to choosing the most that fit. */
	readonly gpuLayers?: number;
	/** Context to use, as `bora.contextSize` forces it; defaults to choosing from the target down. */
	readonly contextSize?: number;
	/** Bytes of GPU memory to leave free (node-llama-cpp's `vramPaddingSize`). Defaults to `0`. */
	readonly vramPaddingBytes?: number;
	/** Share of free VRAM the fit may use. Defaults to `0.9`, as the catalog estimate. */
	readonly vramUsableShare?: number;
	/** Bytes of files loaded next to the model, e.g. a vision projector; counted in RAM. Defaults to `0`. */
	readonly extraBytes?: number;
	/** Fraction of the weights read per token (MoE models read fewer). Defaults to `1`. */
	readonly activeFraction?: number;
}

/** Steps the context is halved through when the target does not fit. */
const contextFloor = 1024;

/**
 * Chooses GPU layers and context for this machine's free memory from header-based estimates.
 * All layers on the GPU comes first, with the largest context that fits down to the minimum,
 * because a fully offloaded model is several times faster than a split one; otherwise the most
 * layers that fit with the largest context. Settings that force layers or context are kept as
 * they are and only judged. Pure: the same estimates and hardware give the same fit.
 */
export function estimateFit(estimates: FitEstimates, hardware: HardwareInfo, {
	targetContextSize = 8192,
	minContextSize = contextFloor,
	gpuLayers: forcedLayers,
	contextSize: forcedContext,
	vramPaddingBytes = 0,
	vramUsableShare = 0.9,
	extraBytes = 0,
	activeFraction = 1,
}: EstimateFitOptions = {}): ModelFit {
	const total = estimates.totalLayers;
	const hasGpu = hardware.backend !== 'cpu';
	const unified = hasGpu && hardware.unifiedMemory;
	const contexts = forcedContext !== undefined
		? [forcedContext]
		: contextSteps(Math.min(targetContextSize, estimates.trainContextSize), Math.min(minContextSize, estimates.trainContextSize));
	const layerChoices = forcedLayers !== undefined
		? [Math.min(Math.max(0, forcedLayers), total)]
		: hasGpu ? range(total, 0) : [0];

	const place = (layers: number, contextSize: number): FitPlacement => {
		const model = estimates.model(layers);
		const context = estimates.context(contextSize, layers);
		return { gpuLayers: layers, totalLayers: total, contextSize, vramBytes: model.vram + context.vram, ramBytes: model.ram + context.ram + extraBytes };
	};
	const gpuFree = hasGpu ? Math.max(0, hardware.vramFree * vramUsableShare - vramPaddingBytes) : 0;
	// On unified memory what the GPU takes comes out of the same RAM.
	const fitsIn = (placement: FitPlacement, gpu: number, ram: number) =>
		placement.vramBytes <= gpu && placement.ramBytes + (unified ? placement.vramBytes : 0) <= ram;
	const fitsNow = (placement: FitPlacement) => fitsIn(placement, gpuFree, hardware.ramFree);

	const search = (layersFirst: readonly number[]) => {
		for (const contextSize of contexts) {
			for (const layers of layersFirst) {
				const placement = place(layers, contextSize);
				if (fitsNow(placement)) {
					return placement;
				}
			}
		}
		return undefined;
	};
	const chosen = (layerChoices[0] === total && total > 0 ? search([total]) : undefined) ?? search(layerChoices);
	const speed = (placement: FitPlacement) => bandwidthTokensPerSecond(estimates.modelBytes * activeFraction, total > 0 ? placement.gpuLayers / total : 0, bandwidthOf(hardware));

	if (chosen) {
		const level: FitLevel = chosen.gpuLayers === 0 ? 'cpu' : chosen.gpuLayers >= total ? 'gpu' : 'partialGpu';
		return headerFit(level, chosen, summarize(level, chosen, hardware, gpuFree), speed(chosen));
	}
	// Nothing fits in the free memory: would it after closing other programs?
	const smallest = place(layerChoices.at(-1) ?? 0, contexts.at(-1) ?? minContextSize);
	const need = formatBytes(smallest.ramBytes + smallest.vramBytes);
	const totalMemory = hardware.ramTotal + (hasGpu && !unified ? hardware.vramTotal : 0);
	const fitsEmptyMachine = layerChoices.some(layers => fitsIn(place(layers, contexts.at(-1) ?? minContextSize), hasGpu ? hardware.vramTotal * vramUsableShare : 0, hardware.ramTotal * 0.9));
	if (fitsEmptyMachine) {
		return headerFit('tight', smallest, `Needs ${need} with a ${smallest.contextSize}-token context; more than is free now. Close other programs first.`, speed(smallest));
	}
	return headerFit('tooLarge', smallest, `Too large: needs ${need} even with a ${smallest.contextSize}-token context${forcedLayers !== undefined ? ` and ${smallest.gpuLayers} GPU layers` : ''}; this machine has ${formatBytes(totalMemory)} of RAM${hasGpu && !unified ? ' + VRAM' : ''}.`);
}

function summarize(level: FitLevel, placement: FitPlacement, hardware: HardwareInfo, gpuFree: number): string {
	const memory = `${formatBytes(placement.vramBytes)} VRAM + ${formatBytes(placement.ramBytes)} RAM`;
	const context = `${placement.contextSize}-token context`;
	switch (level) {
		case 'gpu':
			return `Fits in GPU memory: all ${placement.totalLayers} layers, ${context}, ${memory} (${formatBytes(gpuFree)} VRAM usable).`;
		case 'partialGpu':
			return `Fits split between GPU and RAM: ${placement.gpuLayers} of ${placement.totalLayers} layers on the GPU, ${context}, ${memory}.`;
		default:
			return `Fits in RAM and runs on the CPU: ${context}, ${formatBytes(placement.ramBytes)} of ${formatBytes(hardware.ramFree)} free.`;
	}
}

function headerFit(level: FitLevel, placement: FitPlacement, summary: string, estimatedTokensPerSecond?: number): ModelFit {
	return {
		level, requiredBytes: placement.ramBytes + placement.vramBytes, summary, basis: 'header', placement,
		...(estimatedTokensPerSecond === undefined ? {} : { estimatedTokensPerSecond }),
	};
}

/** `8192, 1024` → `[8192, 4096, 2048, 1024]`; a target that is not a power of two comes first as it is. */
function contextSteps(target: number, min: number): number[] {
	const steps = [Math.max(1, Math.floor(target))];
	while (steps.at(-1)! / 2 >= min) {
		steps.push(Math.floor(steps.at(-1)! / 2));
	}
	return steps;
}

function range(from: number, to: number): number[] {
	return Array.from({ length: from - to + 1 }, (_, index) => from - index);
}
