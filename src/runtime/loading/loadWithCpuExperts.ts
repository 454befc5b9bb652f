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
const probes = new WeakMap<Llama, Promise<CpuExpertsOutcome>>();

/**
 * Whether this build can place experts with this llama.cpp: the addon loads, finds node-llama-cpp's
 * ggml, and a native model object constructed (not loaded) for the probe holds its constructor's
 * arguments where the addon looks. Nothing is written; measured once per `Llama`.
 */
export function probeCpuExperts(llama: Llama): Promise<CpuExpertsOutcome> {
	let probe = probes.get(llama);
	if (!probe) {
		probe = runProbe(llama);
		probes.set(llama, probe);
	}
	return probe;
}

async function runProbe(llama: Llama): Promise<CpuExpertsOutcome> {
	const found = loadPlacementAddon();
	const { AddonModel } = addonModelBinding(llama);
	if ('reason' in found || !AddonModel) {
		return { placed: false, reason: 'reason' in found ? found.reason : noBinding };
	}
	// The constructor only fills llama_model_params; the file is opened by init(), never called here.
	const expected = { modelPath: resolve('/bora-placement-probe.gguf'), gpuLayers: 7 };
	const probe = new AddonModel(expected.modelPath, { gpuLayers: expected.gpuLayers });
	try {
		const mismatch = found.addon.checkModelLayout(probe, expected);
		return mismatch ? { placed: false, reason: mismatch } : { placed: true };
	} finally {
		const dispose: unknown = Reflect.get(probe, 'dispose');
		if (typeof dispose === 'function') {
			await (dispose as () => Promise<void>).call(probe);
		}
	}
}

const noBinding = 'node-llama-cpp has no AddonModel binding where this build expects it';

/** node-llama-cpp's native bindings object and its model class (internal, so looked up, not typed). */
function addonModelBinding(llama: Llama): { bindings: object | undefined; AddonModel: AddonModelClass | undefined } {
	const bindings: unknown = Reflect.get(llama, '_bindings');
	if (typeof bindings !== 'object' || bindings === null) {
		return { bindings: undefined, AddonModel: undefined };
	}
	const AddonModel: unknown = Reflect.get(bindings, 'AddonModel');
	return { bindings, AddonModel: typeof AddonModel === 'function' ? AddonModel as AddonModelClass : undefined };
}

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
	const { bindings, AddonModel: Original } = addonModelBinding(llama);
	if ('reason' in found || !bindings || !Original) {
		return { result: await load(), outcome: { placed: false, reason: 'reason' in found ? found.reason : noBinding } };
	}
	const { addon } = found;
	// node-llama-cpp hands the native constructor the path resolved against the working directory.
	const target = resolve(process.cwd(), modelPath);
	let placed = 0;
	const refusals: string[] = [];
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
	Reflect.set(bindings, 'AddonModel', PlacingAddonModel);
	let result: T;
	try {
		result = await load();
	} finally {
		Reflect.set(bindings, 'AddonModel', Original);
	}
	const [refusal] = refusals;
	if (refusal !== undefined) {
		return { result, outcome: { placed: false, reason: refusal } };
	}
	return { result, outcome: placed > 0 ? { placed: true } : { placed: false, reason: 'node-llama-cpp did not construct the model the way this build expects' } };
}
