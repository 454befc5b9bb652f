import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../types';
import type { SpeedForecast } from './types';

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
	return [parts.modelPath, parts.sizeBytes, parts.mtimeMs, parts.backend, parts.gpuNames.join('+'), parts.cpuModel, `${parts.threads}t`, `${parts.gpuLayers}gl`].join('|');
}

interface ForecastFile {
	readonly version: 1;
	readonly entries: Record<string, SpeedForecast>;
}

/**
 * Measured speed forecasts per model file and machine, in one JSON file in the storage directory,
 * so the next load of the same file on the same machine reuses the number instead of measuring.
 * A missing or damaged file reads as empty; writes go through a temporary file and a rename.
 */
export class ForecastStore {
	readonly filePath: string;

	constructor(storageDir: string) {
		this.filePath = join(storageDir, forecastFileName);
	}

	async get(parts: ForecastKeyParts): Promise<SpeedForecast | undefined> {
		return (await this.read()).entries[forecastKey(parts)];
	}

	async put(parts: ForecastKeyParts, forecast: SpeedForecast): Promise<void> {
		const entries = { ...(await this.read()).entries, [forecastKey(parts)]: forecast };
		const kept = Object.entries(entries)
			.sort(([, a], [, b]) => b.measuredAt.localeCompare(a.measuredAt))
			.slice(0, maxEntries);
		const file: ForecastFile = { version: 1, entries: Object.fromEntries(kept) };
		await mkdir(join(this.filePath, '..'), { recursive: true });
		const temporary = `${this.filePath}.${process.pid}.tmp`;
		await writeFile(temporary, JSON.stringify(file, undefined, '\t'));
		await rename(temporary, this.filePath);
	}

	private async read(): Promise<ForecastFile> {
		try {
			const parsed: unknown = JSON.parse(await readFile(this.filePath, 'utf8'));
			if (typeof parsed === 'object' && parsed !== null && (parsed as ForecastFile).version === 1 && typeof (parsed as ForecastFile).entries === 'object') {
				const entries = Object.fromEntries(Object.entries((parsed as ForecastFile).entries).filter(([, value]) => isForecast(value)));
				return { version: 1, entries };
			}
		} catch {
			// Missing or damaged: measure again.
		}
		return { version: 1, entries: {} };
	}
}

function isForecast(value: unknown): value is SpeedForecast {
	const forecast = value as SpeedForecast;
	return typeof value === 'object' && value !== null
		&& typeof forecast.promptTokensPerSecond === 'number' && typeof forecast.generationTokensPerSecond === 'number'
		&& typeof forecast.msPerSuggestion === 'number' && typeof forecast.summary === 'string' && typeof forecast.measuredAt === 'string';
}
