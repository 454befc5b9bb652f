import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The N-API surface of `src/runtime/loading/native/placement.cpp`. */
export interface PlacementAddon {
	/** The name of the buffer type experts go to ("CPU"); throws when node-llama-cpp's ggml is not in the process. */
	cpuBufferTypeName(): string;
	/** What differs when node-llama-cpp's native model object does not hold `expected` where this build looks; empty when it does. Writes nothing. */
	checkModelLayout(addonModel: object, expected: { readonly modelPath: string; readonly gpuLayers: number }): string;
	/**
	 * Sets `tensor_buft_overrides` (each pattern to the CPU buffer type) on node-llama-cpp's native
	 * model object, between its construction and `init()`. Throws with the reason, writing nothing,
	 * when the object does not hold `expected` where this build looks for it.
	 */
	setCpuTensorOverrides(addonModel: object, expected: { readonly modelPath: string; readonly gpuLayers: number }, patterns: readonly string[]): void;
}

const addonFile = 'bora-placement.node';
const loaded = new Map<string, { addon: PlacementAddon } | { reason: string }>();

/**
 * Bora's expert-placement addon, or why there is none: `BORA_PLACEMENT_ADDON` when set (tests point
 * it at a missing file), else `native/` next to the bundle (dist/server.mjs), else `dist/native/`
 * above it. Loaded once per path. Call only after node-llama-cpp's `getLlama()`: the addon looks up
 * the libggml-base that node-llama-cpp loaded and never loads one itself.
 */
export function loadPlacementAddon(): { addon: PlacementAddon } | { reason: string } {
	const found = findPlacementAddon();
	if ('reason' in found) {
		return found;
	}
	let result = loaded.get(found.path);
	if (!result) {
		result = tryLoad(found.path);
		// A failed look-up of ggml may succeed once llama.cpp is loaded; only a working addon is kept.
		if ('addon' in result) {
			loaded.set(found.path, result);
		}
	}
	return result;
}

function tryLoad(path: string): { addon: PlacementAddon } | { reason: string } {
	try {
		const addon = createRequire(import.meta.url)(path) as PlacementAddon;
		addon.cpuBufferTypeName();
		return { addon };
	} catch (error) {
		return { reason: `${path} could not be used: ${error instanceof Error ? error.message : String(error)}` };
	}
}

function findPlacementAddon(): { path: string } | { reason: string } {
	const override = process.env['BORA_PLACEMENT_ADDON'];
	if (override) {
		return existsSync(override) ? { path: override } : { reason: `BORA_PLACEMENT_ADDON points to a missing file: ${override}` };
	}
	for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
		for (const candidate of [join(dir, 'native', addonFile), join(dir, 'dist', 'native', addonFile)]) {
			if (existsSync(candidate)) {
				return { path: candidate };
			}
			const unavailable = candidate.replace(/\.node$/, '.unavailable.txt');
			if (existsSync(unavailable)) {
				return { reason: `the expert-placement addon was not built: ${readFileSync(unavailable, 'utf8').trim()}` };
			}
		}
	}
	return { reason: `${addonFile} is not installed (npm run build builds it with cmake and g++)` };
}
