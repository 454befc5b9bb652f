import { bandwidthOf, bandwidthTokensPerSecond, moeRamShare as defaultMoeRamShare } from './checkFit';
export { fitsNow } from './checkFit';
import type { ExpertLayout } from './expertLayout';
import { describeExpertPlacement } from '../../shared/expertPlacementText';
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
	/** The routed experts per block, for a Mixture-of-Experts model; absent for a dense one. */
	readonly experts?: ExpertLayout;
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
	/** Fraction of the weights read per token (MoE models read fewer); the header's expert counts replace it when known. Defaults to `1`. */
	readonly activeFraction?: number;
	/** Bytes of free VRAM left to the desktop and other programs (`bora.gpu.reserveGiB`). Defaults to `0`. */
	readonly vramReserveBytes?: number;
	/**
	 * Whether the routed experts of the first layers may stay in RAM while their layers run on the GPU
	 * (llama.cpp's `--n-cpu-moe`). Defaults to `false`: whole layers only, as before experts could be placed.
	 */
	readonly canPlaceExperts?: boolean;
	/** Leading layers whose routed experts stay in RAM, as `bora.moe.cpuExperts` forces them; defaults to choosing (when experts can be placed). */
	readonly cpuExpertLayers?: number;
	/**
	 * Share of the machine's RAM that a Mixture-of-Experts model split between a GPU and RAM may
	 * fill. Defaults to {@link moeRamShare} for such a model, and no limit otherwise.
	 */
	readonly moeRamShare?: number;
}

/** Steps the context is halved through when the target does not fit. */
const contextFloor = 1024;

/**
 * Chooses GPU layers, experts in RAM and context for this machine's free memory from header-based
 * estimates. All layers on the GPU comes first, with the largest context that fits down to the
 * minimum, because a fully offloaded model is several times faster than a split one. For a
 * Mixture-of-Experts model whose experts can be placed, next comes every layer on the GPU with the
 * routed experts of as few leading layers as needed in RAM (only a few experts are read per token,
 * so this stays fast); otherwise, and for dense models, the most layers that fit with the largest
 * context. Settings that force layers, experts or context are kept as they are and only judged.
 * Pure: the same estimates and hardware give the same fit.
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
	vramReserveBytes = 0,
	canPlaceExperts = false,
	cpuExpertLayers: forcedExperts,
	moeRamShare = defaultMoeRamShare,
}: EstimateFitOptions = {}): ModelFit {
	const total = estimates.totalLayers;
	const hasGpu = hardware.backend !== 'cpu';
	const unified = hasGpu && hardware.unifiedMemory;
	const experts = estimates.experts;
	const blocks = experts?.bytesByLayer.length ?? 0;
	const contexts = forcedContext !== undefined
		? [forcedContext]
		: contextSteps(Math.min(targetContextSize, estimates.trainContextSize), Math.min(minContextSize, estimates.trainContextSize));
	const layerChoices = forcedLayers !== undefined
		? [Math.min(Math.max(0, forcedLayers), total)]
		: hasGpu ? range(total, 0) : [0];
	// Experts in RAM only where there are experts to place; a forced count is judged even where the build cannot place them.
	const expertChoices = forcedExperts !== undefined
		? [Math.min(Math.max(0, forcedExperts), blocks)]
		: canPlaceExperts && hasGpu ? range(blocks, 0).reverse() : [0];

	const place = (layers: number, contextSize: number, cpuExperts = 0): FitPlacement => {
		const model = estimates.model(layers);
		const context = estimates.context(contextSize, layers);
		const moved = experts ? expertBytesInRam(experts, cpuExperts, layers, total) : 0;
		return {
			gpuLayers: layers, totalLayers: total, contextSize, vramBytes: model.vram + context.vram - moved, ramBytes: model.ram + context.ram + extraBytes + moved,
			...(experts ? { cpuExpertLayers: cpuExperts, expertLayers: blocks } : {}),
		};
	};
	const gpuFree = hasGpu ? Math.max(0, hardware.vramFree * vramUsableShare - vramPaddingBytes - vramReserveBytes) : 0;
	// A MoE model split between a discrete GPU and RAM reads its RAM side on every token: past this, the OS pages it out.
	const ramCap = experts && hasGpu && !unified ? hardware.ramTotal * moeRamShare : Infinity;
	const withinRamShare = (placement: FitPlacement) => placement.ramBytes <= ramCap;
	// On unified memory what the GPU takes comes out of the same RAM.
	const bytesFit = (placement: FitPlacement, gpu: number, ram: number) =>
		placement.vramBytes <= gpu && placement.ramBytes + (unified ? placement.vramBytes : 0) <= ram;
	const fitsIn = (placement: FitPlacement, gpu: number, ram: number) => bytesFit(placement, gpu, ram) && withinRamShare(placement);
	const fitsNow = (placement: FitPlacement) => fitsIn(placement, gpuFree, hardware.ramFree);

	const search = (layersFirst: readonly number[], expertsFirst: readonly number[]) => {
		for (const contextSize of contexts) {
			for (const layers of layersFirst) {
				for (const cpuExperts of expertsFirst) {
					const placement = place(layers, contextSize, cpuExperts);
					if (fitsNow(placement)) {
						return placement;
					}
				}
			}
		}
		return undefined;
	};
	const allLayers = layerChoices[0] === total && total > 0;
	const chosen = (allLayers ? search([total], expertChoices.slice(0, 1)) : undefined)
		?? (allLayers && expertChoices.length > 1 ? search([total], expertChoices) : undefined)
		?? search(layerChoices, forcedExperts !== undefined ? expertChoices : [0]);
	const speed = (placement: FitPlacement) => placementTokensPerSecond(estimates, placement, activeFraction, hardware);

	if (chosen) {
		const level: FitLevel = chosen.gpuLayers === 0 ? 'cpu' : chosen.gpuLayers >= total && !chosen.cpuExpertLayers ? 'gpu' : 'partialGpu';
		return headerFit(level, chosen, summarize(level, chosen, hardware, gpuFree), speed(chosen));
	}
	// Nothing fits in the free memory: would it after closing other programs?
	const smallest = place(layerChoices.at(-1) ?? 0, contexts.at(-1) ?? minContextSize, expertChoices.at(-1) ?? 0);
	const need = formatBytes(smallest.ramBytes + smallest.vramBytes);
	const totalMemory = hardware.ramTotal + (hasGpu && !unified ? hardware.vramTotal : 0);
	const emptyGpu = hasGpu ? Math.max(0, hardware.vramTotal * vramUsableShare - vramReserveBytes) : 0;
	const emptyRam = hardware.ramTotal * 0.9;
	const emptyChoices = layerChoices.flatMap(layers => expertChoices.map(cpuExperts => place(layers, contexts.at(-1) ?? minContextSize, cpuExperts)));
	if (emptyChoices.some(placement => fitsIn(placement, emptyGpu, emptyRam))) {
		return headerFit('tight', smallest, `Needs ${need} with a ${smallest.contextSize}-token context; more than is free now. Close other programs first.`, speed(smallest));
	}
	// It would fit by bytes, but the RAM side would be too large a share of this machine's RAM.
	const overShare = emptyChoices.filter(placement => bytesFit(placement, emptyGpu, emptyRam)).sort((a, b) => a.ramBytes - b.ramBytes)[0];
	if (overShare) {
		const ramNeeded = formatBytes(Math.ceil(overShare.ramBytes / moeRamShare / 1e9) * 1e9);
		return headerFit('tooLarge', overShare, `Too large for this machine's RAM: even with the whole GPU (${describeExpertPlacement(overShare)}), more than ${Math.round(moeRamShare * 100)}% of the ${formatBytes(hardware.ramTotal)} of RAM would hold weights read on every token; the OS would page them out and generation would drop to a token or two per second. It needs about ${ramNeeded} of RAM with this GPU.`);
	}
	return headerFit('tooLarge', smallest, `Too large: needs ${need} even with a ${smallest.contextSize}-token context${forcedLayers !== undefined ? ` and ${smallest.gpuLayers} GPU layers` : ''}; this machine has ${formatBytes(totalMemory)} of RAM${hasGpu && !unified ? ' + VRAM' : ''}.`);
}

/**
 * Bytes of routed experts that leave the GPU when the first `cpuExperts` blocks keep theirs in RAM:
 * only blocks on the GPU had them there. node-llama-cpp offloads the last `gpuLayers` layers (the
 * output layer counts as one), so blocks from `total - gpuLayers` on are on the GPU.
 */
function expertBytesInRam(experts: ExpertLayout, cpuExperts: number, gpuLayers: number, total: number): number {
	const firstGpuBlock = Math.max(0, total - gpuLayers);
	return experts.bytesByLayer.slice(firstGpuBlock, Math.max(firstGpuBlock, cpuExperts)).reduce((sum, bytes) => sum + bytes, 0);
}

/**
 * Generation speed from memory bandwidth: per token, the weights read from VRAM and from RAM. A
 * Mixture-of-Experts model reads every non-expert weight but only `used / count` of each block's
 * experts, wherever they are; a dense one reads `activeFraction` of its weights, split by layers.
 */
function placementTokensPerSecond(estimates: FitEstimates, placement: FitPlacement, activeFraction: number, hardware: HardwareInfo): number {
	const { totalLayers: total } = estimates;
	const layerShare = total > 0 ? placement.gpuLayers / total : 0;
	const experts = estimates.experts;
	if (!experts) {
		return bandwidthTokensPerSecond(estimates.modelBytes * activeFraction, layerShare, bandwidthOf(hardware));
	}
	const expertTotal = experts.bytesByLayer.reduce((sum, bytes) => sum + bytes, 0);
	const readShare = experts.used / experts.count;
	const nonExpert = Math.max(0, estimates.modelBytes - expertTotal);
	// The experts of the blocks on the GPU, less those kept in RAM.
	const expertsOnGpu = expertBytesInRam(experts, experts.bytesByLayer.length, placement.gpuLayers, total)
		- expertBytesInRam(experts, placement.cpuExpertLayers ?? 0, placement.gpuLayers, total);
	const gpuRead = nonExpert * layerShare + expertsOnGpu * readShare;
	const read = nonExpert + expertTotal * readShare;
	return bandwidthTokensPerSecond(read, read > 0 ? gpuRead / read : 0, bandwidthOf(hardware));
}

function summarize(level: FitLevel, placement: FitPlacement, hardware: HardwareInfo, gpuFree: number): string {
	const memory = `${formatBytes(placement.vramBytes)} VRAM + ${formatBytes(placement.ramBytes)} RAM`;
	const context = `${placement.contextSize}-token context`;
	switch (level) {
		case 'gpu':
			return `Fits in GPU memory: all ${placement.totalLayers} layers, ${context}, ${memory} (${formatBytes(gpuFree)} VRAM usable).`;
		case 'partialGpu':
			return placement.cpuExpertLayers
				? `Fits with experts in RAM: ${describeExpertPlacement(placement)}, ${context}.`
				: `Fits split between GPU and RAM: ${placement.gpuLayers} of ${placement.totalLayers} layers on the GPU, ${context}, ${memory}.`;
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
