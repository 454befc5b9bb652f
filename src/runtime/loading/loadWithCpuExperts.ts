import { resolve } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { loadPlacementAddon } from './placementAddon';

export interface CpuExpertsRequest {
	readonly modelPath: string;
	/** `tensor_buft_overrides` patterns sent to the CPU buffer type (see `cpuExpertPatterns`). */
	readonly patterns: readonly string[];
	/** @internal For tests: the model path the layout check expects, to act out a node-llama-cpp whose model object differs. */
	readonly _layoutCheckPath?: string;
}

/** Whether llama.cpp got the overrides; when not, the load went on with plain layer offload. */
export type CpuExpertsOutcome = { readonly placed: true } | { readonly placed: false; readonly reason: string };

type AddonModelClass = new (modelPath: unknown, options: unknown) => object;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `load` (one `llama.loadModel`) so that node-llama-cpp's native model objects for
 * `modelPath` get llama.cpp's `tensor_buft_overrides` between construction and `init()`.
 *
 * node-llama-cpp 3.21.1 builds `llama_model_params` in its `AddonModel` constructor and never sets
 * the overrides; it constructs that class from `llama._bindings` for the real load and for the
 * no-alloc loads that size automatic GPU layers. For the duration of this call the binding is a
 * subclass that, after the native constructor ran, hands the object to Bora's placement addon;
 * so the automatic layer count is measured with the experts already in RAM. Calls are queued, as the
 * class is swapped process-wide; a load of another file meanwhile is left alone.
 */
export async function loadWithCpuExperts<T>(llama: Llama, request: CpuExpertsRequest, load: () => Promise<T>): Promise<{ result: T; outcome: CpuExpertsOutcome }> {
	const run = queue.then(() => loadWithOverrides(llama, request, load));
	queue = run.catch(() => undefined);
	return run;
}

async function loadWithOverrides<T>(llama: Llama, { modelPath, patterns, _layoutCheckPath }: CpuExpertsRequest, load: () => Promise<T>): Promise<{ result: T; outcome: CpuExpertsOutcome }> {
	const found = loadPlacementAddon();
	const bindings: unknown = Reflect.get(llama, '_bindings');
	const original: unknown = typeof bindings === 'object' && bindings !== null ? Reflect.get(bindings, 'AddonModel') : undefined;
	if ('reason' in found || typeof original !== 'function') {
		const reason = 'reason' in found ? found.reason : 'node-llama-cpp has no AddonModel binding where this build expects it';
		return { result: await load(), outcome: { placed: false, reason } };
	}
	const { addon } = found;
	// node-llama-cpp hands the native constructor the path resolved against the working directory.
	const target = resolve(process.cwd(), modelPath);
	let placed = 0;
	const refusals: string[] = [];
	const Original = original as AddonModelClass;
	class PlacingAddonModel extends Original {
		constructor(path: unknown, options: unknown) {
			super(path, options);
			if (path !== target) {
				return;
			}
			const gpuLayers: unknown = typeof options === 'object' && options !== null ? Reflect.get(options, 'gpuLayers') : undefined;
			if (typeof gpuLayers !== 'number') {
				refusals.push('node-llama-cpp constructed the model without a GPU layer count');
				return;
			}
			try {
				addon.setCpuTensorOverrides(this, { modelPath: _layoutCheckPath ?? path, gpuLayers }, patterns);
				placed++;
			} catch (error) {
				refusals.push(error instanceof Error ? error.message : String(error));
			}
		}
	}
	Reflect.set(bindings as object, 'AddonModel', PlacingAddonModel);
	let result: T;
	try {
		result = await load();
	} finally {
		Reflect.set(bindings as object, 'AddonModel', Original);
	}
	const [refusal] = refusals;
	if (refusal !== undefined) {
		return { result, outcome: { placed: false, reason: refusal } };
	}
	return { result, outcome: placed > 0 ? { placed: true } : { placed: false, reason: 'node-llama-cpp did not construct the model the way this build expects' } };
}
