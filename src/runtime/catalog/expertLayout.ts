import type { GgufFileInfo, GgufTensorInfo } from 'node-llama-cpp';
import { parseCpuExperts } from '../loading/loadSettings';

/**
 * Where a Mixture-of-Experts model keeps its routed experts, from the GGUF's tensor table: the bytes
 * of each block's routed expert tensors, which llama.cpp's `--n-cpu-moe N` keeps in RAM for the
 * first N blocks while attention, shared experts and norms go to the GPU.
 */
export interface ExpertLayout {
	/** Bytes of routed expert tensors per block (`blk.N`), first block first; 0 for a dense block. */
	readonly bytesByLayer: readonly number[];
	/** Routed experts per block (`expert_count`). */
	readonly count: number;
	/** Experts each token uses (`expert_used_count`): the share of expert bytes read per token. */
	readonly used: number;
}

/**
 * llama.cpp's routed expert tensors (`LLM_FFN_EXPS_REGEX` in `common/arg.cpp`, behind `--cpu-moe`):
 * `ffn_up_exps`, `ffn_down_exps`, `ffn_gate_exps`, the fused `ffn_gate_up_exps` and the `chexps`
 * variants, weights and biases; never the shared experts (`*_shexp`) or the router (`ffn_gate_inp`).
 */
const routedExpertTensor = /^blk\.(\d+)\.ffn_(up|down|gate|gate_up)_(ch)?exps\b/;

/** Elements per block and bytes per block of each ggml type (ggml.c `type_traits`), by `GgmlType` id. */
const ggmlTypeSizes: ReadonlyMap<number, readonly [elements: number, bytes: number]> = new Map([
	[0, [1, 4]], [1, [1, 2]], [2, [32, 18]], [3, [32, 20]], [6, [32, 22]], [7, [32, 24]], [8, [32, 34]], [9, [32, 36]],
	[10, [256, 84]], [11, [256, 110]], [12, [256, 144]], [13, [256, 176]], [14, [256, 210]], [15, [256, 292]],
	[16, [256, 66]], [17, [256, 74]], [18, [256, 98]], [19, [256, 50]], [20, [32, 18]], [21, [256, 110]], [22, [256, 82]], [23, [256, 136]],
	[24, [1, 1]], [25, [1, 2]], [26, [1, 4]], [27, [1, 8]], [28, [1, 8]], [29, [256, 56]], [30, [1, 2]],
	[34, [256, 54]], [35, [256, 66]], [39, [32, 17]],
]);

/** The routed experts of a GGUF, or undefined for a dense model (or a tensor type this table does not know). */
export function expertLayoutOf(fileInfo: GgufFileInfo): ExpertLayout | undefined {
	const tensors = fileInfo.fullTensorInfo ?? fileInfo.tensorInfo ?? [];
	const architecture = String(fileInfo.metadata.general?.architecture ?? '');
	const blocks = numberKey(fileInfo, `${architecture}.block_count`);
	const count = numberKey(fileInfo, `${architecture}.expert_count`);
	if (!blocks || !count) {
		return undefined;
	}
	const bytesByLayer = new Array<number>(blocks).fill(0);
	for (const tensor of tensors) {
		const match = routedExpertTensor.exec(tensor.name);
		const block = match ? Number(match[1]) : -1;
		if (block < 0 || block >= blocks) {
			continue;
		}
		const bytes = tensorBytes(tensor);
		if (bytes === undefined) {
			return undefined;
		}
		bytesByLayer[block] = (bytesByLayer[block] ?? 0) + bytes;
	}
	if (bytesByLayer.every(bytes => bytes === 0)) {
		return undefined;
	}
	return { bytesByLayer, count, used: Math.min(count, numberKey(fileInfo, `${architecture}.expert_used_count`) ?? count) };
}

/** Bytes of one tensor's data, as ggml lays it out (whole blocks along the first dimension). */
export function tensorBytes(tensor: Pick<GgufTensorInfo, 'dimensions' | 'ggmlType'>): number | undefined {
	const size = ggmlTypeSizes.get(tensor.ggmlType);
	if (!size) {
		return undefined;
	}
	const [blockElements, blockBytes] = size;
	const [first = 1, ...rest] = tensor.dimensions.map(Number);
	return Math.ceil(first / blockElements) * blockBytes * rest.reduce((product, dim) => product * dim, 1);
}

function numberKey(fileInfo: GgufFileInfo, key: string): number | undefined {
	const [section, ...path] = key.split('.');
	let value: unknown = (fileInfo.metadata as unknown as Record<string, unknown>)[section ?? ''];
	for (const part of path) {
		value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
	}
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * `bora.moe.cpuExperts` as a count of leading layers for the fit: undefined for `auto` (the fit
 * chooses), every layer for `all` (the fit clamps it to the blocks), else the number (`0`: none).
 */
export function forcedCpuExpertLayers(setting: string | undefined): number | undefined {
	const asked = parseCpuExperts(setting);
	return asked === 'auto' ? undefined : asked === 'all' ? Number.MAX_SAFE_INTEGER : asked;
}
