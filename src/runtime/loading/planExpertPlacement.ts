import type { Llama } from 'node-llama-cpp';
import { detectHardware } from '../catalog/detectHardware';
import { estimateFit, type FitEstimates } from '../catalog/estimateFit';
import { forcedCpuExpertLayers } from '../catalog/expertLayout';
import { fitEstimatesFromInsights, readHeaderInsights } from '../catalog/headerEstimates';
import { RuntimeError } from '../errors/RuntimeError';
import { describeExpertPlacement } from '../../shared/expertPlacementText';
import type { HardwareInfo } from '../../shared/modelTypes';

export interface ExpertPlacementPlan {
	/** Leading layers whose routed experts stay in RAM (0: none; the block count: all). */
	readonly cpuExpertLayers: number;
	/** Layers on the GPU to load with. */
	readonly gpuLayers: number | 'auto';
	/** Estimated bytes, when the fit could tell. */
	readonly vramBytes?: number;
	readonly ramBytes?: number;
	/** One line for the Models view and tooltip, e.g. "experts of 22 of 36 layers in RAM · 14.1 GB VRAM · 52 GB RAM"; empty for a dense model. */
	readonly summary: string;
}

export interface PlanExpertPlacementOptions {
	readonly modelPath: string;
	/** bora.moe.cpuExperts as set: 'auto', 'all', or a number of layers as text ('0': none). */
	readonly setting: string;
	readonly gpuLayers: number | 'auto';
	readonly contextSize?: number;
	/** bora.gpu.reserveGiB in bytes. */
	readonly reserveBytes: number;
	/** Whether this build can place experts at all. */
	readonly canPlaceExperts: boolean;
	readonly llama: Llama;
}

/**
 * Where a model's routed experts go for this load, from its GGUF header and the memory free now
 * (which the models the shared runtime already holds have taken). See {@link decideExpertPlacement}.
 */
export async function planExpertPlacement({ modelPath, llama, ...options }: PlanExpertPlacementOptions): Promise<ExpertPlacementPlan> {
	const estimates = fitEstimatesFromInsights(await readHeaderInsights(llama, modelPath));
	return decideExpertPlacement({
		...options, estimates, hardware: await detectHardware(llama), vramPaddingBytes: llama.vramPaddingSize, modelName: modelPath.split(/[\\/]/).pop() || modelPath,
	});
}

export interface ExpertPlacementInput extends Omit<PlanExpertPlacementOptions, 'modelPath' | 'llama'> {
	/** The header's estimates: per-layer weights (with the experts per block) and the KV cache per context. */
	readonly estimates: FitEstimates;
	/** Free VRAM and RAM now, with what loaded models hold already taken. */
	readonly hardware: HardwareInfo;
	/** VRAM node-llama-cpp keeps free on its own (`llama.vramPaddingSize`). Defaults to `0`. */
	readonly vramPaddingBytes?: number;
	/** For the refusal's message. */
	readonly modelName: string;
}

/** Context the plan keeps room for when bora.contextSize leaves it to the engines: chat's default. */
export const plannedContextSize = 8192;

/**
 * The pure decision behind {@link planExpertPlacement}. A dense model is left as it is (empty
 * summary). For a Mixture-of-Experts model with `auto`, the fit's order, fastest first: everything
 * on the GPU; else every layer on the GPU with the experts of as few leading layers as needed in
 * RAM; else layer offload (no experts in RAM, fewer layers on the GPU), which is also all a build
 * that cannot place experts gets. `all` and a number are kept and only sized, even when the fit
 * says they will not fit (the user asked to try). `auto` refuses with a typed {@link RuntimeError}
 * when RAM and VRAM cannot hold the model: `outOfMemory` when closing other programs would make
 * room, `modelTooLarge` when nothing would.
 */
export function decideExpertPlacement({
	estimates, hardware, setting, gpuLayers, contextSize, reserveBytes, canPlaceExperts, vramPaddingBytes = 0, modelName,
}: ExpertPlacementInput): ExpertPlacementPlan {
	const blocks = estimates.experts?.bytesByLayer.length;
	if (!blocks) {
		return { cpuExpertLayers: 0, gpuLayers, summary: '' };
	}
	const wanted = forcedCpuExpertLayers(setting);
	const fit = estimateFit(estimates, hardware, {
		targetContextSize: contextSize ?? plannedContextSize, vramPaddingBytes, vramReserveBytes: reserveBytes, canPlaceExperts,
		...(contextSize === undefined ? {} : { contextSize }),
		...(gpuLayers === 'auto' ? {} : { gpuLayers }),
		// A build that cannot place experts loads whole layers, whatever the setting says (the load tells the user).
		...(canPlaceExperts ? wanted === undefined ? {} : { cpuExpertLayers: wanted } : { cpuExpertLayers: 0 }),
	});
	const placement = fit.placement;
	if (!placement || fit.level === 'tight' || fit.level === 'tooLarge') {
		if (wanted !== undefined) {
			// A setting the user made is theirs to try: those experts in RAM with every layer on the GPU, or
			// (`0`, or a build that cannot place experts) whole layers as the load always chose them.
			const cpuExpertLayers = canPlaceExperts ? Math.min(wanted, blocks) : 0;
			return cpuExpertLayers > 0
				? { cpuExpertLayers, gpuLayers: gpuLayers === 'auto' ? estimates.totalLayers : gpuLayers, summary: `experts of ${cpuExpertLayers} of ${blocks} layers in RAM · more than the fit expects to fit` }
				: { cpuExpertLayers, gpuLayers, summary: 'no experts in RAM · more than the fit expects to fit' };
		}
		throw new RuntimeError(fit.level === 'tight'
			? { code: 'outOfMemory', message: `${modelName} does not fit in the memory free now: ${fit.summary}`, action: 'Close other programs (or windows using other models), or lower bora.gpu.reserveGiB, then reload the model.' }
			: { code: 'modelTooLarge', message: `${modelName} does not fit this machine: ${fit.summary}`, action: 'Choose a smaller or more quantized model in the Bora: Models view, or set bora.moe.cpuExperts to a number of layers to load it anyway.' });
	}
	return {
		cpuExpertLayers: placement.cpuExpertLayers ?? 0,
		gpuLayers: gpuLayers === 'auto' ? placement.gpuLayers : gpuLayers,
		vramBytes: placement.vramBytes,
		ramBytes: placement.ramBytes,
		summary: describeExpertPlacement(placement),
	};
}

