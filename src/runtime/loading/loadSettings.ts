import { defaultRuntimeSettings, type RuntimeSettings } from '../../shared/types';

/** `{ [key]: value }`, or nothing when the value is undefined (the options are exactOptionalPropertyTypes). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
	return value === undefined ? {} : { [key]: value } as { [P in K]?: V };
}

/** `bora.gpuLayers`: -1 (or absent) fits the layers automatically. */
export function gpuLayersOf(settings: RuntimeSettings): number | 'auto' {
	const layers = settings.gpuLayers ?? defaultRuntimeSettings.gpuLayers;
	return layers < 0 ? 'auto' : layers;
}

/** `bora.gpu.reserveGiB` in bytes: the VRAM every fit leaves free for the desktop and other programs. */
export function gpuReserveBytesOf(settings: RuntimeSettings): number {
	return Math.max(0, settings.gpuReserveGiB ?? defaultRuntimeSettings.gpuReserveGiB) * 1024 ** 3;
}

/** `bora.contextSize`: 0 (or absent) lets each engine choose. */
export function contextSizeOf(settings: RuntimeSettings): number | undefined {
	return settings.contextSize && settings.contextSize > 0 ? settings.contextSize : undefined;
}

/** `bora.moe.cpuExperts` as the load reads it: `auto` (or anything unreadable), `all`, or a count of leading layers. */
export function parseCpuExperts(setting: string | undefined): 'auto' | 'all' | number {
	const value = (setting ?? '').trim();
	if (value === 'all') {
		return 'all';
	}
	return /^[0-9]+$/.test(value) ? Number(value) : 'auto';
}

/** `bora.moe.cpuExperts`, normalised so equal meanings compare equal (`"02"` is `"2"`). */
export function cpuExpertsOf(settings: RuntimeSettings): string {
	return String(parseCpuExperts(settings.moeCpuExperts ?? defaultRuntimeSettings.moeCpuExperts));
}

/** The GGUF chat uses: its own setting, else the completion model. */
export function chatModelPathOf(settings: RuntimeSettings): string {
	return settings.chatModelPath || settings.modelPath;
}

/** Whether the completion model must load again: its file, llama.cpp's backend or threads, or the load's sizes changed. */
export function loadSettingsChanged(previous: RuntimeSettings, next: RuntimeSettings): boolean {
	return previous.modelPath !== next.modelPath || previous.gpu !== next.gpu || previous.threads !== next.threads
		|| contextSizeOf(previous) !== contextSizeOf(next) || gpuLayersOf(previous) !== gpuLayersOf(next)
		|| cpuExpertsOf(previous) !== cpuExpertsOf(next)
		// The reserve changes what the fit plans for the load.
		|| gpuReserveBytesOf(previous) !== gpuReserveBytesOf(next);
}

/** What one load of the completion model is made of: its file and the settings that size the load. */
export interface LoadTarget {
	readonly modelPath: string;
	readonly gpuLayers: number | 'auto';
	readonly contextSize?: number;
	/** `bora.moe.cpuExperts`, normalised (see {@link cpuExpertsOf}). */
	readonly cpuExperts: string;
}

export function loadTargetOf(settings: RuntimeSettings): LoadTarget {
	return { modelPath: settings.modelPath, gpuLayers: gpuLayersOf(settings), cpuExperts: cpuExpertsOf(settings), ...optional('contextSize', contextSizeOf(settings)) };
}

export function sameLoadTarget(a: LoadTarget, b: LoadTarget): boolean {
	return a.modelPath === b.modelPath && a.gpuLayers === b.gpuLayers && a.contextSize === b.contextSize && a.cpuExperts === b.cpuExperts;
}

/**
 * What decides whether two clients can share one loaded runtime: every setting that changes what is
 * loaded or how (files, llama.cpp's backend and threads, the load's sizes). Equal keys, one load.
 */
export function loadKeyOf(settings: RuntimeSettings): string {
	return JSON.stringify([
		settings.modelPath, chatModelPathOf(settings), settings.mmprojPath ?? '', settings.draftModelPath ?? '',
		settings.gpu, settings.threads, gpuLayersOf(settings), contextSizeOf(settings) ?? 0, cpuExpertsOf(settings), gpuReserveBytesOf(settings),
	]);
}
