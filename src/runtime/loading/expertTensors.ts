import type { GgufFileInfo } from 'node-llama-cpp';

/**
 * llama.cpp's `LLM_FFN_EXPS_REGEX` (common/common.h), behind `--cpu-moe` and `--n-cpu-moe`: the
 * routed experts' weights. Shared experts (`ffn_*_shexp`), the router (`ffn_gate_inp`), attention
 * and norms do not match, so they follow the layer.
 */
export const routedExpertPattern = '\\.ffn_(up|down|gate|gate_up)_(ch|)exps';
const routedExpertTensor = new RegExp(`^blk\\.(\\d+)${routedExpertPattern}`);

/** Which layers of a GGUF carry routed experts, from its tensor table. */
export interface ExpertLayers {
	/** Layers in the model (`block_count`). */
	readonly totalLayers: number;
	/** Indices of the layers with routed expert tensors, ascending; empty for a dense model. */
	readonly expertLayers: readonly number[];
}

export function expertLayersOf(fileInfo: GgufFileInfo): ExpertLayers {
	const layers = new Set<number>();
	for (const tensor of fileInfo.fullTensorInfo ?? fileInfo.tensorInfo ?? []) {
		const match = routedExpertTensor.exec(tensor.name);
		if (match) {
			layers.add(Number(match[1]));
		}
	}
	const expertLayers = [...layers].sort((a, b) => a - b);
	const blockCount = Number((fileInfo.architectureMetadata as { block_count?: unknown }).block_count);
	const totalLayers = Number.isInteger(blockCount) && blockCount > 0 ? blockCount : (expertLayers.at(-1) ?? -1) + 1;
	return { totalLayers, expertLayers };
}

/**
 * The `tensor_buft_overrides` patterns that keep the routed experts of layers `0 … cpuExpertLayers - 1`
 * in RAM: llama.cpp's `--cpu-moe` pattern when that is every layer, else one alternation over the
 * layer indices (what `--n-cpu-moe N` writes as N patterns; llama.cpp compiles each pattern once per
 * tensor, so one is cheaper). Empty when no layer's experts move.
 */
export function cpuExpertPatterns(cpuExpertLayers: number, totalLayers: number): string[] {
	if (cpuExpertLayers <= 0) {
		return [];
	}
	if (cpuExpertLayers >= totalLayers) {
		return [routedExpertPattern];
	}
	const indices = Array.from({ length: cpuExpertLayers }, (_, index) => index).join('|');
	return [`blk\\.(${indices})${routedExpertPattern}`];
}

/** How many of `layers`' expert layers lie in the first `cpuExpertLayers` layers. */
export function expertLayersInRam({ expertLayers }: ExpertLayers, cpuExpertLayers: number): number {
	return expertLayers.filter(layer => layer < cpuExpertLayers).length;
}
