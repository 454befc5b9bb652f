import { resolve } from 'node:path';
import type { LlamaModel } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';

/**
 * What the vision addon needs from node-llama-cpp 3.21.1 beyond its public API: the `AddonModel`
 * (whose `llama_model*` the addon reads), the path it was loaded from, and the guard node-llama-cpp's
 * own contexts hold so that the native model is not freed under them.
 */
interface LlamaModelInternals {
	readonly _model?: object;
	readonly _modelPath?: string;
	readonly _backendModelDisposeGuard?: { createPreventDisposalHandle(): { dispose(): void } };
}

/** A chat model the vision addon works on; node-llama-cpp keeps owning it. */
export interface BorrowedModel {
	/** node-llama-cpp's `AddonModel`, for the addon's `open`. */
	readonly addonModel: object;
	/** The absolute path node-llama-cpp loaded. */
	readonly path: string;
	/** `llama_model_size`, as node-llama-cpp reports it. */
	readonly size: number;
	/** Layers on the GPU: the image encoder runs on the GPU backend when the model does. */
	readonly gpuLayers: number;
	/** Ends the borrow: node-llama-cpp may free the model again. Idempotent. */
	release(): void;
}

/**
 * Borrows `model` for native work outside node-llama-cpp, as its own contexts do: while borrowed,
 * node-llama-cpp's `dispose()` waits before freeing the native model. When someone disposes it,
 * `onDispose` runs at once and must free everything made on the model; the borrow ends when it
 * settles, and only then is the model freed. Throws a {@link RuntimeError} when the model is
 * already disposed or this node-llama-cpp has other internals than 3.21.1.
 */
export function borrowLlamaModel(model: LlamaModel, onDispose: () => Promise<void>): BorrowedModel {
	const internals = model as unknown as LlamaModelInternals;
	const { _model: addonModel, _modelPath: path, _backendModelDisposeGuard: guard } = internals;
	if (!addonModel || typeof path !== 'string' || typeof guard?.createPreventDisposalHandle !== 'function') {
		throw new RuntimeError({
			code: 'visionUnavailable',
			message: 'Image understanding is unavailable: this node-llama-cpp does not expose the model the way 3.21.1 does, so images cannot share the chat model',
			action: 'Reinstall Bora (it pins node-llama-cpp 3.21.1).',
		});
	}
	if (model.disposed) {
		throw replaced();
	}
	let handle: { dispose(): void };
	try {
		handle = guard.createPreventDisposalHandle();
	} catch (error) {
		// node-llama-cpp is disposing it already.
		throw replaced(error);
	}
	let released = false;
	const release = () => {
		if (!released) {
			released = true;
			listener.dispose();
			handle.dispose();
		}
	};
	// Synchronous with the checks above: a dispose cannot slip in between and go unheard.
	const listener = model.onDispose.createListener(() => {
		void onDispose().catch(() => undefined).finally(release);
	});
	return { addonModel, path: resolve(path), size: model.size, gpuLayers: model.gpuLayers, release };
}

function replaced(cause?: unknown): RuntimeError {
	return new RuntimeError({
		code: 'internal',
		message: 'The chat model was unloaded or replaced while the image question was starting.',
		action: 'Ask again.',
	}, { cause });
}
