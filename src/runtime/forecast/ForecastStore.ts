import { stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../shared/types';
import { JsonEntryStore } from '../util/JsonEntryStore';
import type { SpeedForecast } from '../../shared/modelTypes';

/** The file in the storage directory that keeps measured forecasts. */
export const forecastFileName = 'speed-forecasts.json';

/** Stored forecasts beyond this many are dropped, oldest measurement first. */
const maxEntries = 64;

/** What a forecast depends on: the exact model file and the machine that ran it. */
export interface ForecastKeyParts {
	readonly modelPath: string;
	readonly sizeBytes: number;
	readonly mtimeMs: number;
	readonly backend: Backend;
	readonly gpuNames: readonly string[];
	readonly cpuModel: string;
	readonly threads: number;
	/** Layers on the GPU: the same file split differently runs at a different speed. */
	readonly gpuLayers: number;
	/** Leading layers whose routed experts stay in RAM (`bora.moe.cpuExperts`): part of the split too. */
	readonly cpuExpertLayers: number;
}

/** The key for a model file on this machine; undefined when the file cannot be read. */
export async function forecastKeyParts(modelPath: string, machine: Omit<ForecastKeyParts, 'modelPath' | 'sizeBytes' | 'mtimeMs' | 'cpuModel'>): Promise<ForecastKeyParts | undefined> {
	try {
		const file = await stat(modelPath);
		return { ...machine, modelPath, sizeBytes: file.size, mtimeMs: Math.round(file.mtimeMs), cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU' };
	} catch {
		return undefined;
	}
}

export function forecastKey(parts: ForecastKeyParts): string {
	// No experts in RAM keeps the key forecasts were stored under before experts could be placed.
	const experts = parts.cpuExpertLayers > 0 ? [`${parts.cpuExpertLayers}ce`] : [];
	return [parts.modelPath, parts.sizeBytes, parts.mtimeMs, parts.backend, parts.gpuNames.join('+'), parts.cpuModel, `${parts.threads}t`, `${parts.gpuLayers}gl`, ...experts].join('|');
}

/**
 * Measured speed forecasts per model file and machine, in one JSON file in the storage directory,
 * so the next load of the same file on the same machine reuses the number instead of measuring.
 */
export class ForecastStore {
	private readonly store: JsonEntryStore<SpeedForecast>;

	constructor(storageDir: string) {
		this.store = new JsonEntryStore(join(storageDir, forecastFileName), { maxEntries, isEntry: isForecast, timeOf: forecast => forecast.measuredAt });
	}

	get(parts: ForecastKeyParts): Promise<SpeedForecast | undefined> {
		return this.store.get(forecastKey(parts));
	}

	put(parts: ForecastKeyParts, forecast: SpeedForecast): Promise<void> {
		return this.store.put(forecastKey(parts), forecast);
	}
}

function isForecast(value: unknown): value is SpeedForecast {
	const forecast = value as SpeedForecast;
	return typeof value === 'object' && value !== null
		&& typeof forecast.promptTokensPerSecond === 'number' && typeof forecast.generationTokensPerSecond === 'number'
		&& typeof forecast.msPerSuggestion === 'number' && typeof forecast.summary === 'string' && typeof forecast.measuredAt === 'string';
}
