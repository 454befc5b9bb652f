import { GgufInsights, readGgufFileInfo, type Llama } from 'node-llama-cpp';
import { checkGgufHeader } from '../loading/checkGgufHeader';
import { notReadableAsGguf } from '../loading/notReadableAsGguf';
import { RuntimeError } from '../errors/RuntimeError';
import type { FitEstimates, MemoryUse } from './estimateFit';
import { expertLayoutOf, type ExpertLayout } from './expertLayout';
import { abandonedDownloads } from './AbandonedDownloads';

/**
 * Header-based estimates written out for a fixed set of context sizes, so they can be stored and
 * the fit recomputed later for the free memory of the moment without reading the header again.
 * `model[layers]` and `context[i][layers]` are `[ram, vram]` bytes.
 */
export interface EstimateTable {
	readonly totalLayers: number;
	readonly trainContextSize: number;
	readonly modelBytes: number;
	readonly model: ReadonlyArray<readonly [number, number]>;
	readonly contextSizes: readonly number[];
	readonly context: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
	/** The routed experts per block of a Mixture-of-Experts model; absent for a dense one (and in tables stored before experts were counted). */
	readonly experts?: ExpertLayout;
}

/** node-llama-cpp's default when a header states no trained context. */
const unknownTrainContext = 4096;

/**
 * The estimates node-llama-cpp's `GgufInsights` makes from the header: tensor sizes per offloaded
 * layer (`estimateModelResourceRequirements`) and the KV cache and compute buffers of one sequence
 * (`estimateContextResourceRequirements`). Synchronous on purpose: the async V2 variants simulate a
 * load in llama.cpp per call (about 300 ms each), too slow for a search over layers and contexts.
 */
export function fitEstimatesFromInsights(insights: GgufInsights): FitEstimates {
	const experts = expertLayoutOf(insights.ggufFileInfo);
	return {
		...(experts ? { experts } : {}),
		totalLayers: insights.totalLayers,
		trainContextSize: insights.trainContextSize ?? unknownTrainContext,
		modelBytes: insights.modelSize,
		model: gpuLayers => use(insights.estimateModelResourceRequirements({ gpuLayers })),
		context: (contextSize, gpuLayers) => use(insights.estimateContextResourceRequirements({ contextSize, modelGpuLayers: gpuLayers, sequences: 1 })),
	};
}

/** Context sizes worth storing for a model: powers of two from 1024 up to its trained context (at most 128K), and `extra`. */
export function tabulatedContextSizes(trainContextSize: number, extra: readonly number[] = []): number[] {
	const sizes = new Set<number>(extra.filter(size => size > 0 && size <= trainContextSize));
	for (let size = 1024; size <= Math.min(trainContextSize, 131_072); size *= 2) {
		sizes.add(size);
	}
	sizes.add(Math.min(trainContextSize, 131_072));
	return [...sizes].sort((a, b) => a - b);
}

export function tabulateEstimates(estimates: FitEstimates, contextSizes: readonly number[] = tabulatedContextSizes(estimates.trainContextSize)): EstimateTable {
	const layers = Array.from({ length: estimates.totalLayers + 1 }, (_, index) => index);
	const pair = ({ ram, vram }: MemoryUse) => [ram, vram] as const;
	return {
		totalLayers: estimates.totalLayers,
		trainContextSize: estimates.trainContextSize,
		modelBytes: estimates.modelBytes,
		model: layers.map(count => pair(estimates.model(count))),
		contextSizes: [...contextSizes],
		context: contextSizes.map(size => layers.map(count => pair(estimates.context(size, count)))),
		...(estimates.experts ? { experts: estimates.experts } : {}),
	};
}

/** Estimates from a stored table; a context between two stored sizes is costed as the larger one. */
export function estimatesFromTable(table: EstimateTable): FitEstimates {
	const at = (rows: ReadonlyArray<readonly [number, number]>, layers: number): MemoryUse => {
		const [ram, vram] = rows[Math.min(Math.max(0, layers), rows.length - 1)] ?? [0, 0];
		return { ram, vram };
	};
	return {
		totalLayers: table.totalLayers,
		trainContextSize: table.trainContextSize,
		modelBytes: table.modelBytes,
		...(table.experts ? { experts: table.experts } : {}),
		model: layers => at(table.model, layers),
		context: (contextSize, layers) => {
			const index = table.contextSizes.findIndex(size => size >= contextSize);
			const rows = table.context[index === -1 ? table.context.length - 1 : index] ?? [];
			if (index === -1 && table.contextSizes.length > 0) {
				// Beyond the table: scale the largest stored context, which grows about linearly in tokens.
				const largest = table.contextSizes.at(-1)!;
				const { ram, vram } = at(rows, layers);
				return { ram: ram * contextSize / largest, vram: vram * contextSize / largest };
			}
			return at(rows, layers);
		},
	};
}

export interface ReadHeaderOptions {
	readonly signal?: AbortSignal;
}

/**
 * Reads only the GGUF header of a local file or a remote model (`hf:` URI or `http(s)` URL; for
 * `hf:` node-llama-cpp resolves the file name with one request and then fetches the header with
 * Range requests) and builds node-llama-cpp's insights for this llama.cpp build.
 */
export async function readHeaderInsights(llama: Llama, source: string, { signal }: ReadHeaderOptions = {}): Promise<GgufInsights> {
	const remote = /^(hf:|https?:\/\/)/i.test(source);
	try {
		if (!remote) {
			// node-llama-cpp's reader allocates from the header's counts: check them against the file first.
			await checkGgufHeader(source, signal ? { signal } : {});
		} else {
			// The user asked for this request: addresses of an abandoned download go out again.
			abandonedDownloads.liftFor(source);
		}
		const fileInfo = await readGgufFileInfo(source, {
			sourceType: remote ? 'network' : 'filesystem', logWarnings: false, signal,
			// One quick try: the user is waiting on it, and a download retries on its own later.
			...(remote ? { fetchRetryOptions: { retries: 1, minTimeout: 200, maxTimeout: 1000 } } : {}),
		});
		return await GgufInsights.from(fileInfo, llama);
	} catch (error) {
		signal?.throwIfAborted();
		if (!remote) {
			throw notReadableAsGguf(error, source);
		}
		throw RuntimeError.from(error, { code: 'downloadFailed', message: `Cannot read the model header from ${source}`, action: 'Check the network connection (and the proxy settings), then check the fit again.' });
	}
}

function use({ cpuRam, gpuVram }: { cpuRam: number; gpuVram: number }): MemoryUse {
	return { ram: cpuRam, vram: gpuVram };
}
