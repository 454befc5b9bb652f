import type { Llama } from 'node-llama-cpp';

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
	/** bora.moe.cpuExperts as set. */
	readonly setting: string;
	readonly gpuLayers: number | 'auto';
	readonly contextSize?: number;
	/** bora.gpu.reserveGiB in bytes. */
	readonly reserveBytes: number;
	/** Whether this build can place experts at all (your addon loaded and its layout check passed). */
	readonly canPlaceExperts: boolean;
	readonly llama: Llama;
}

/**
 * The split for `bora.moe.cpuExperts = auto`. A placeholder so this branch compiles: it keeps every
 * expert with its layer; the header-based fit (issue 15, item 3) replaces it.
 */
export function planExpertPlacement(options: PlanExpertPlacementOptions): Promise<ExpertPlacementPlan> {
	return Promise.resolve({ cpuExpertLayers: 0, gpuLayers: options.gpuLayers, summary: '' });
}
