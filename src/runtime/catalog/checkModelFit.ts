import { stat } from 'node:fs/promises';
import type { Llama } from 'node-llama-cpp';
import { estimateFit, type EstimateFitOptions } from './estimateFit';
import { forcedCpuExpertLayers } from './expertLayout';
import type { EstimateTableStore } from './EstimateTableStore';
import { estimatesFromTable, fitEstimatesFromInsights, readHeaderInsights, tabulatedContextSizes, tabulateEstimates } from './headerEstimates';
import type { CatalogEntry, HardwareInfo, ModelFit } from '../../shared/modelTypes';

export interface CheckFileFitOptions extends Omit<EstimateFitOptions, 'vramPaddingBytes' | 'extraBytes'> {
	/** A vision projector loaded with the model; its size is counted in RAM. Defaults to none. */
	readonly mmprojPath?: string;
	readonly signal?: AbortSignal;
}

/** The header-based fit of a local GGUF on this machine. Reads only the header. */
export async function checkFileFit(llama: Llama, modelPath: string, hardware: HardwareInfo, { mmprojPath, signal, ...options }: CheckFileFitOptions = {}): Promise<ModelFit> {
	const insights = await readHeaderInsights(llama, modelPath, { signal });
	const extraBytes = mmprojPath ? await stat(mmprojPath).then(file => file.size, () => 0) : 0;
	return estimateFit(fitEstimatesFromInsights(insights), hardware, { ...options, extraBytes, vramPaddingBytes: llama.vramPaddingSize });
}

export interface CheckRemoteFitOptions {
	/** Where header estimates are kept per URI; without one the header is read every time. */
	readonly store?: EstimateTableStore;
	/** How to fit; `vramPaddingBytes` defaults to the llama's. */
	readonly fit?: EstimateFitOptions;
	readonly signal?: AbortSignal;
}

/**
 * The header-based fit of a remote model (`hf:` or `http(s)` URI), reading its header once (network
 * access: call it only on a user action) and reusing the stored estimates afterwards.
 */
export async function checkRemoteFit(llama: Llama, uri: string, hardware: HardwareInfo, { store, fit = {}, signal }: CheckRemoteFitOptions = {}): Promise<ModelFit> {
	let table = await store?.get(uri);
	if (!table) {
		const estimates = fitEstimatesFromInsights(await readHeaderInsights(llama, uri, { signal }));
		const wanted = [fit.targetContextSize, fit.contextSize].filter((size): size is number => size !== undefined);
		table = tabulateEstimates(estimates, tabulatedContextSizes(estimates.trainContextSize, wanted));
		await store?.put(uri, table).catch(() => undefined);
	}
	return estimateFit(estimatesFromTable(table), hardware, { vramPaddingBytes: llama.vramPaddingSize, ...fit });
}

/** The header-based fit of a catalog model; see {@link checkRemoteFit}. `fit` adds to the catalog's options. */
export function checkCatalogFit(llama: Llama, entry: CatalogEntry, hardware: HardwareInfo, { fit, ...options }: CheckRemoteFitOptions = {}): Promise<ModelFit> {
	return checkRemoteFit(llama, entry.model.uri, hardware, { ...options, fit: { ...catalogFitOptions(entry), ...fit } });
}

/** The header-based fit from stored estimates, without any network access; undefined when the header was never read. */
export async function storedCatalogFit(llama: Llama, entry: CatalogEntry, hardware: HardwareInfo, store: EstimateTableStore, fit: EstimateFitOptions = {}): Promise<ModelFit | undefined> {
	const table = await store.get(entry.model.uri);
	return table ? estimateFit(estimatesFromTable(table), hardware, { vramPaddingBytes: llama.vramPaddingSize, ...catalogFitOptions(entry), ...fit }) : undefined;
}

/** The catalog's context target, projector and MoE share, for a fit like the preliminary one. */
export function catalogFitOptions(entry: CatalogEntry): EstimateFitOptions {
	return { targetContextSize: entry.fitContextTokens, extraBytes: entry.mmproj?.sizeBytes ?? 0, activeFraction: entry.activeFraction };
}

/**
 * How the fit plans a load on this machine: the VRAM bora.gpu.reserveGiB leaves free, and experts in
 * RAM where the model has them, as many as the fit chooses or as bora.moe.cpuExperts forces.
 */
export function machineFitOptions(vramReserveBytes: number, cpuExpertsSetting?: string): Pick<EstimateFitOptions, 'vramReserveBytes' | 'canPlaceExperts' | 'cpuExpertLayers'> {
	const cpuExpertLayers = forcedCpuExpertLayers(cpuExpertsSetting);
	return { vramReserveBytes, canPlaceExperts: true, ...(cpuExpertLayers === undefined ? {} : { cpuExpertLayers }) };
}
