import type { LlamaModel } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import type { Logger } from '../Logger';
import { SerialQueue } from '../util/SerialQueue';
import { borrowLlamaModel, type BorrowedModel } from './borrowLlamaModel';
import { checkDecodedSize } from './checkDecodedSize';
import { inspectImage, type ImageInfo } from './imageInfo';
import type { NativeVisionSession, VisionAddon } from './visionAddon';

/** The text that marks where mtmd puts the image (its default media marker). */
export const imageMarker = '<__media__>';

/** The question asked when the user gives none. */
export const defaultImageQuestion = 'Explain this screenshot.';

export interface VisionEngineOptions {
	readonly addon: VisionAddon;
	/**
	 * The chat model, loaded by node-llama-cpp: the projector and the engine's own context are made on
	 * its `llama_model`, never on a second load of the file. Its owner keeps owning it; when it is
	 * disposed the engine frees what it made on it first, and answers nothing more.
	 */
	readonly model: LlamaModel;
	readonly mmprojPath: string;
	readonly threads: number;
	/** Tokens of KV cache: prompt, image and answer together. Defaults to `8192`. */
	readonly contextSize?: number;
	/** Image tokens at most; mtmd downscales larger images to fit. Defaults to `1024` (llama.cpp's cap). */
	readonly imageTokenBudget?: number;
	/** Free the projector and the engine's context this long after the last request. Defaults to `120000` ms. */
	readonly idleMs?: number;
	readonly logger?: Logger;
}

export interface ExplainImageRequest {
	readonly image: Uint8Array;
	/** The chat prompt in the model's own template, with {@link imageMarker} where the image goes. */
	readonly prompt: string;
	/** Defaults to `1024`. */
	readonly maxTokens?: number;
	/** Cancels before the next token; the request then rejects with the signal's reason. */
	readonly signal?: AbortSignal;
	readonly onText?: (text: string) => void;
}

export interface ExplainImageResult {
	readonly answer: string;
	readonly image: ImageInfo;
	/** Image tokens the model saw, and the most it may see (larger images are downscaled to fit). */
	readonly imageTokens: number;
	readonly imageTokenBudget: number;
	readonly promptTokens: number;
	/** Load time of the projector when this request loaded it, else 0. */
	readonly loadMs: number;
	/** The backend the image encoder ran on (llama.cpp's name: `CPU`, `CUDA0`, `Vulkan0`, `MTL0`). */
	readonly encoderBackend: string;
}

/** The projector and context on the borrowed chat model. */
interface OpenSession {
	readonly native: NativeVisionSession;
	readonly borrowed: BorrowedModel;
	readonly encoderBackend: string;
}

/**
 * Image questions on llama.cpp's mtmd through Bora's addon, on the chat model node-llama-cpp already
 * loaded (one copy of the weights, on its backend). The projector and a context of the engine's own
 * load on the first request and are freed after `idleMs` without requests, or before the model is
 * freed. One request at a time.
 */
export class VisionEngine implements AsyncDisposable {
	private readonly queue = new SerialQueue();
	private session: Promise<OpenSession> | undefined;
	private idleTimer: NodeJS.Timeout | undefined;
	private disposed = false;
	/** The model was disposed: nothing more can be answered on it. */
	private modelGone = false;
	private closing: Promise<void> = Promise.resolve();
	readonly imageTokenBudget: number;

	constructor(private readonly options: VisionEngineOptions) {
		this.imageTokenBudget = options.imageTokenBudget ?? 1024;
	}

	get isLoaded(): boolean {
		return this.session !== undefined;
	}

	/** The model this engine answers on. */
	get model(): LlamaModel {
		return this.options.model;
	}

	async explain({ image, prompt, maxTokens = 1024, signal, onText }: ExplainImageRequest): Promise<ExplainImageResult> {
		this.ensureUsable();
		const info = inspectImage(image);
		// Before the queue: a bomb is refused at once, not after the request ahead of it.
		await checkDecodedSize(image, info, { signal });
		return this.queue.run(async () => {
			signal?.throwIfAborted();
			this.clearIdle();
			const started = performance.now();
			const wasLoaded = this.session !== undefined;
			try {
				this.ensureUsable();
				const session = await this.open();
				const loadMs = wasLoaded ? 0 : Math.round(performance.now() - started);
				signal?.throwIfAborted();
				const onAbort = () => this.options.addon.cancel(session.native);
				signal?.addEventListener('abort', onAbort, { once: true });
				try {
					const result = await this.options.addon.generate(session.native, { prompt, imageBytes: Buffer.from(image), maxTokens }, text => {
						try { onText?.(text); } catch (error) { this.options.logger?.warn(`onText threw: ${String(error)}`); }
					}).catch((error: unknown) => { throw this.modelGone ? modelUnloaded(error) : nativeError(error); });
					if (result.encoderComputeBytes > 0) {
						this.options.logger?.info(`vision: image encoder compute buffers ${(result.encoderComputeBytes / 1024 / 1024).toFixed(2)} MiB`);
					}
					signal?.throwIfAborted();
					if (result.stopReason === 'cancelled' && this.modelGone) throw modelUnloaded();
					return {
						answer: result.text, image: info, imageTokens: result.imageTokens, imageTokenBudget: this.imageTokenBudget, promptTokens: result.promptTokens, loadMs,
						encoderBackend: session.encoderBackend,
					};
				} finally {
					signal?.removeEventListener('abort', onAbort);
				}
			} finally {
				this.scheduleIdle();
			}
		});
	}

	private open(): Promise<OpenSession> {
		if (!this.session) {
			const opening = this.openSession();
			this.session = opening;
			opening.catch(() => {
				if (this.session === opening) this.session = undefined;
			});
		}
		return this.session;
	}

	private async openSession(): Promise<OpenSession> {
		const { addon, model, mmprojPath, threads, contextSize = 8192, logger } = this.options;
		// Borrowed first: from here on node-llama-cpp frees the model only after closeSession().
		const borrowed = borrowLlamaModel(model, () => this.onModelDisposed());
		try {
			logger?.info(`vision: loading ${mmprojPath} for ${borrowed.path} (the chat model's weights, shared)`);
			const opened = await addon.open({
				model: borrowed.addonModel, modelPath: borrowed.path, modelSize: borrowed.size, mmprojPath, threads, contextSize,
				useGpu: borrowed.gpuLayers > 0, imageMaxTokens: this.imageTokenBudget,
			}).catch((error: unknown) => { throw nativeError(error); });
			logger?.info(`vision: image encoder on ${opened.encoderBackend || 'an unknown backend'}; text model shared with chat (${borrowed.gpuLayers} layers on the GPU)`);
			return { native: opened.session, borrowed, encoderBackend: opened.encoderBackend };
		} catch (error) {
			borrowed.release();
			throw error;
		}
	}

	/** node-llama-cpp is disposing the chat model: free everything on it now (a running answer stops). */
	private async onModelDisposed(): Promise<void> {
		this.modelGone = true;
		this.clearIdle();
		await this.closeSession();
	}

	/**
	 * Frees the projector and context (after a running generate() stopped), then ends the borrow.
	 * Closings run one after another, so a caller returns only once every earlier one has freed too
	 * (node-llama-cpp may free the model as soon as the dispose path's call returns).
	 */
	private closeSession(): Promise<void> {
		const session = this.session;
		this.session = undefined;
		const previous = this.closing;
		this.closing = (async () => {
			await previous;
			const opened = await session?.catch(() => undefined);
			if (opened) {
				this.options.addon.cancel(opened.native);
				await this.options.addon.close(opened.native);
				opened.borrowed.release();
				this.options.logger?.info('vision: projector and its context freed');
			}
		})();
		return this.closing;
	}

	private clearIdle(): void {
		clearTimeout(this.idleTimer);
		this.idleTimer = undefined;
	}

	private scheduleIdle(): void {
		this.clearIdle();
		if (this.disposed) return;
		this.idleTimer = setTimeout(() => void this.queue.run(() => this.unload()), this.options.idleMs ?? 120_000);
		this.idleTimer.unref();
	}

	private async unload(): Promise<void> {
		await this.closeSession();
	}

	async dispose(): Promise<void> {
		if (this.disposed) return;
		this.disposed = true;
		this.clearIdle();
		// A running request is cancelled now; its session is freed once it has stopped.
		void this.session?.then(opened => this.options.addon.cancel(opened.native), () => undefined);
		await this.queue.run(() => this.unload());
	}

	private ensureUsable(): void {
		if (this.disposed) throw new RuntimeError({ code: 'internal', message: 'The vision engine is disposed', action: 'Try again.' });
		if (this.modelGone) throw modelUnloaded();
	}

	[Symbol.asyncDispose](): Promise<void> {
		return this.dispose();
	}
}

/** The addon rejects with `Error & { code }`; turn its codes into the runtime's. */
function nativeError(error: unknown): RuntimeError {
	const code = (error as { code?: unknown } | undefined)?.code;
	const message = error instanceof Error ? error.message : String(error);
	switch (code) {
		case 'imageDecodeFailed':
			return new RuntimeError({ code: 'badImage', message: `The image could not be read: ${message}`, action: 'Save the screenshot as PNG or JPEG and try again.' }, { cause: error });
		case 'contextOverflow':
			return new RuntimeError({ code: 'badImage', message: `The image and question do not fit: ${message}`, action: 'Start a new chat or ask a shorter question.' }, { cause: error });
		case 'sharedModelUnavailable':
			return new RuntimeError({ code: 'visionUnavailable', message: `Image understanding is unavailable: the chat model loaded by node-llama-cpp cannot be shared with the vision addon: ${message}`, action: 'Reinstall Bora so that its vision addon and node-llama-cpp match (npm run build).' }, { cause: error });
		case 'mmprojLoadFailed':
		case 'noVision':
		case 'contextFailed':
			return new RuntimeError({ code: 'visionUnavailable', message, action: 'Check bora.chat.mmprojPath: it must be the mmproj file made for the chat model.' }, { cause: error });
		default:
			return new RuntimeError({ code: 'internal', message: `Image understanding failed: ${message}`, action: 'See the runtime log for details.' }, { cause: error });
	}
}

function modelUnloaded(cause?: unknown): RuntimeError {
	return new RuntimeError({ code: 'internal', message: 'The chat model was unloaded or replaced while answering about the image.', action: 'Ask again.' }, { cause });
}
