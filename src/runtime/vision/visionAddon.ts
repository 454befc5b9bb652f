import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeError } from '../errors/RuntimeError';

/** A loaded text model + projector inside the addon (opaque). */
export type NativeVisionSession = { readonly __brand: 'NativeVisionSession' };

export interface NativeGenerateResult {
	readonly text: string;
	readonly stopReason: 'eos' | 'maxTokens' | 'cancelled';
	readonly imageTokens: number;
	readonly promptTokens: number;
	readonly generatedTokens: number;
	readonly imageWidth: number;
	readonly imageHeight: number;
}

/** The N-API surface of `src/runtime/vision/native/addon.cpp`. */
export interface VisionAddon {
	backendDeviceCount(): number;
	loadBackends(dir: string): number;
	open(options: { modelPath: string; mmprojPath: string; threads: number; contextSize: number; gpuLayers?: number; useGpu?: boolean; imageMaxTokens?: number }): Promise<NativeVisionSession>;
	generate(session: NativeVisionSession, options: { prompt: string; imageBytes: Buffer; maxTokens: number }, onText: (text: string) => void): Promise<NativeGenerateResult>;
	cancel(session: NativeVisionSession): void;
	close(session: NativeVisionSession): void;
}

const addonFile = 'bora-vision.node';

/** `BORA_VISION_ADDON`, else `native/` next to the bundle (dist/server.mjs), else `dist/native/` above it. */
export function findVisionAddon(): { path: string } | { reason: string } {
	const override = process.env['BORA_VISION_ADDON'];
	if (override) return existsSync(override) ? { path: override } : { reason: `BORA_VISION_ADDON points to a missing file: ${override}` };
	for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
		for (const candidate of [join(dir, 'native', addonFile), join(dir, 'dist', 'native', addonFile)]) {
			if (existsSync(candidate)) return { path: candidate };
			const unavailable = candidate.replace(/\.node$/, '.unavailable.txt');
			if (existsSync(unavailable)) return { reason: `the vision addon was not built: ${readFileSync(unavailable, 'utf8').trim()}` };
		}
		if (dirname(dir) === dir) break;
	}
	return { reason: `${addonFile} is not installed (run npm run build, which builds it with cmake and g++)` };
}

let cached: { addon: VisionAddon } | { error: RuntimeError } | undefined;

/**
 * Loads the addon once. Call only after node-llama-cpp's `getLlama()`: the addon links against the
 * same libllama/libggml, which are then already in the process with their backends registered.
 */
export function loadVisionAddon(): VisionAddon {
	cached ??= tryLoad();
	if ('error' in cached) throw cached.error;
	return cached.addon;
}

function unavailable(reason: string, cause?: unknown): RuntimeError {
	return new RuntimeError({
		code: 'visionUnavailable',
		message: `Image understanding is unavailable: ${reason}`,
		action: 'Chat and completion keep working. Rebuild with npm run build (needs cmake and g++), or see the runtime log.',
	}, { cause });
}

function tryLoad(): { addon: VisionAddon } | { error: RuntimeError } {
	const found = findVisionAddon();
	if ('reason' in found) return { error: unavailable(found.reason) };
	try {
		const addon = createRequire(import.meta.url)(found.path) as VisionAddon;
		if (addon.backendDeviceCount() === 0) return { error: unavailable('llama.cpp has no backend registered in this process') };
		return { addon };
	} catch (error) {
		return { error: unavailable(`${found.path} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, error) };
	}
}
