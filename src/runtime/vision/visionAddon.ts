import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeError } from '../errors/RuntimeError';
import type { Backend } from '../../shared/modelTypes';

/** A context and projector on the shared model inside the addon (opaque). */
export type NativeVisionSession = { readonly __brand: 'NativeVisionSession' };

export interface NativeGenerateResult {
	readonly text: string;
	readonly stopReason: 'eos' | 'maxTokens' | 'cancelled';
	readonly imageTokens: number;
	readonly promptTokens: number;
	readonly generatedTokens: number;
	readonly imageWidth: number;
	readonly imageHeight: number;
	/** Compute buffer bytes the image encoder reserved during this call (0 once reserved before). */
	readonly encoderComputeBytes: number;
}

export interface NativeOpenOptions {
	/** node-llama-cpp's `AddonModel` (`LlamaModel._model`): the addon reads its `llama_model*`. */
	readonly model: object;
	/** The absolute path node-llama-cpp loaded the model from; checked against the AddonModel's. */
	readonly modelPath: string;
	/** `LlamaModel.size` (llama_model_size); checked against the AddonModel's. */
	readonly modelSize: number;
	readonly mmprojPath: string;
	readonly threads: number;
	readonly contextSize: number;
	/** Run the image encoder on the GPU backend (as the model does). */
	readonly useGpu: boolean;
	readonly imageMaxTokens?: number;
}

export interface NativeOpenResult {
	readonly session: NativeVisionSession;
	/** The backend clip chose for the image encoder, e.g. `CPU`, `CUDA0`, `Vulkan0`, `MTL0`. */
	readonly encoderBackend: string;
}

/** The N-API surface of `src/runtime/vision/native/addon.cpp`. */
export interface VisionAddon {
	backendDeviceCount(): number;
	loadBackends(dir: string): number;
	/** The libllama the addon is bound to, and ggml's devices. */
	libraryInfo(): { readonly llamaLibrary: string; readonly devices: ReadonlyArray<{ readonly name: string; readonly type: 'cpu' | 'gpu' | 'igpu' | 'accel' }> };
	open(options: NativeOpenOptions): Promise<NativeOpenResult>;
	generate(session: NativeVisionSession, options: { prompt: string; imageBytes: Buffer; maxTokens: number }, onText: (text: string) => void): Promise<NativeGenerateResult>;
	cancel(session: NativeVisionSession): void;
	/** Frees the session's context and projector; after a running generate() has stopped. */
	close(session: NativeVisionSession): Promise<void>;
}

/** `dist/native/bora-vision.json`, written by scripts/build-vision.mjs: one addon per prebuilt backend. */
interface AddonManifest {
	readonly addons: ReadonlyArray<{ readonly backend: Backend; readonly addon: string; readonly llamaLibrary: string }>;
}

const manifestFile = 'bora-vision.json';
const unavailableFile = 'bora-vision.unavailable.txt';

/**
 * The folder with the addons: `BORA_VISION_ADDON_DIR`, else `native/` next to the bundle
 * (dist/server.mjs), else `dist/native/` above it.
 */
export function findVisionAddonDir(): { dir: string } | { reason: string } {
	const override = process.env['BORA_VISION_ADDON_DIR'];
	if (override) return existsSync(join(override, manifestFile)) ? { dir: override } : { reason: `BORA_VISION_ADDON_DIR has no ${manifestFile}: ${override}` };
	for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
		for (const candidate of [join(dir, 'native'), join(dir, 'dist', 'native')]) {
			if (existsSync(join(candidate, manifestFile))) return { dir: candidate };
			if (existsSync(join(candidate, unavailableFile))) return { reason: `the vision addon was not built: ${readFileSync(join(candidate, unavailableFile), 'utf8').trim()}` };
		}
		if (dirname(dir) === dir) break;
	}
	return { reason: 'the vision addon is not installed (run npm run build, which builds it with cmake and a C++ compiler)' };
}

const cached = new Map<Backend, { addon: VisionAddon } | { error: RuntimeError }>();

/**
 * The addon for the llama.cpp build node-llama-cpp loaded (`backend`), loaded once. Call only after
 * node-llama-cpp's `getLlama()`: the addon links against the same libllama/libggml, which are then
 * already in the process with their backends registered. Never brings a second llama.cpp in: on
 * Linux the libllama it needs must already be mapped, and on every platform the one it bound to
 * must be that one.
 */
export function loadVisionAddon(backend: Backend): VisionAddon {
	let entry = cached.get(backend);
	if (!entry) {
		entry = tryLoad(backend);
		cached.set(backend, entry);
	}
	if ('error' in entry) throw entry.error;
	return entry.addon;
}

function unavailable(reason: string, cause?: unknown): RuntimeError {
	return new RuntimeError({
		code: 'visionUnavailable',
		message: `Image understanding is unavailable: ${reason}`,
		action: 'Chat and completion keep working. Rebuild with npm run build (needs cmake and a C++ compiler), or see the runtime log.',
	}, { cause });
}

function tryLoad(backend: Backend): { addon: VisionAddon } | { error: RuntimeError } {
	const found = findVisionAddonDir();
	if ('reason' in found) return { error: unavailable(found.reason) };
	let manifest: AddonManifest;
	try {
		manifest = JSON.parse(readFileSync(join(found.dir, manifestFile), 'utf8')) as AddonManifest;
	} catch (error) {
		return { error: unavailable(`${join(found.dir, manifestFile)} cannot be read`, error) };
	}
	const variant = manifest.addons.find(candidate => candidate.backend === backend);
	if (!variant) {
		return { error: unavailable(`the vision addon was not built for llama.cpp's ${backend} build (built for: ${manifest.addons.map(candidate => candidate.backend).join(', ') || 'none'})`) };
	}
	const mapped = mappedLlamaLibraries();
	if (mapped && !mapped.includes(variant.llamaLibrary)) {
		return { error: unavailable(`node-llama-cpp's ${variant.llamaLibrary} is not loaded in this process (loaded: ${mapped.join(', ') || 'none'}), so the ${backend} addon would bring a second llama.cpp`) };
	}
	const path = join(found.dir, variant.addon);
	try {
		const addon = createRequire(import.meta.url)(path) as VisionAddon;
		if (addon.backendDeviceCount() === 0) return { error: unavailable('llama.cpp has no backend registered in this process') };
		const bound = basename(addon.libraryInfo().llamaLibrary);
		if (bound !== variant.llamaLibrary) {
			return { error: unavailable(`${variant.addon} bound to ${bound || 'an unknown library'}, not node-llama-cpp's ${variant.llamaLibrary}`) };
		}
		return { addon };
	} catch (error) {
		return { error: unavailable(`${path} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, error) };
	}
}

/** The libllama files mapped into this process (Linux, from /proc); undefined where there is no /proc. */
function mappedLlamaLibraries(): string[] | undefined {
	let maps: string;
	try {
		maps = readFileSync('/proc/self/maps', 'utf8');
	} catch {
		return undefined;
	}
	const names = new Set<string>();
	for (const line of maps.split('\n')) {
		const name = basename(line.split(/\s+/).slice(5).join(' '));
		if (/^libllama(\.[a-z]+)?\.v[0-9.]+\.so$/.test(name)) names.add(name);
	}
	return [...names];
}
