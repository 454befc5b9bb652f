import { RuntimeError } from '../errors/RuntimeError';
import type { Logger } from '../Logger';
import { SerialQueue } from '../util/SerialQueue';
import { checkDecodedSize } from './checkDecodedSize';
import { inspectImage, type ImageInfo } from './imageInfo';
import type { NativeVisionSession, VisionAddon } from './visionAddon';

/** The text that marks where mtmd puts the image (its default media marker). */
export const imageMarker = '<__media__>';

/** The question asked when the user gives none. */
export const defaultImageQuestion = 'Explain this screenshot.';

export interface VisionEngineOptions {
	readonly addon: VisionAddon;
	readonly modelPath: string;
	readonly mmprojPath: string;
	readonly threads: number;
	/** Tokens of KV cache: prompt, image and answer together. Defaults to `8192`. */
	readonly contextSize?: number;
	/** Image tokens at most; mtmd downscales larger images to fit. Defaults to `1024` (llama.cpp's cap). */
	readonly imageTokenBudget?: number;
	/** Unload the projector and model this long after the last request. Defaults to `120000` ms. */
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
}

/**
 * Image questions on llama.cpp's mtmd through Bora's addon. The model and projector load on the first
 * request (the addon maps the GGUF again: page cache shared with node-llama-cpp, GPU copies not) and
 * unload after `idleMs` without requests. One request at a time.
 */
export class VisionEngine implements AsyncDisposable {
	private readonly queue = new SerialQueue();
	private session: Promise<NativeVisionSession> | undefined;
	private idleTimer: NodeJS.Timeout | undefined;
	private disposed = false;
	readonly imageTokenBudget: number;

	constructor(private readonly options: VisionEngineOptions) {
		this.imageTokenBudget = options.imageTokenBudget ?? 1024;
	}

	get isLoaded(): boolean {
		return this.session !== undefined;
	}

	async explain({ image, prompt, maxTokens = 1024, signal, onText }: ExplainImageRequest): Promise<ExplainImageResult> {
		if (this.disposed) throw new RuntimeError({ code: 'internal', message: 'The vision engine is disposed', action: 'Try again.' });
		const info = inspectImage(image);
		// Before the queue: a bomb is refused at once, not after the request ahead of it.
		await checkDecodedSize(image, info, { signal });
		return this.queue.run(async () => {
			signal?.throwIfAborted();
			this.clearIdle();
			const started = performance.now();
			const wasLoaded = this.session !== undefined;
			try {
				const session = await this.open();
				const loadMs = wasLoaded ? 0 : Math.round(performance.now() - started);
				signal?.throwIfAborted();
				const onAbort = () => this.options.addon.cancel(session);
				signal?.addEventListener('abort', onAbort, { once: true });
				try {
					const result = await this.options.addon.generate(session, { prompt, imageBytes: Buffer.from(image), maxTokens }, text => {
						try { onText?.(text); } catch (error) { this.options.logger?.warn(`onText threw: ${String(error)}`); }
					}).catch((error: unknown) => { throw nativeError(error); });
					signal?.throwIfAborted();
					return { answer: result.text, image: info, imageTokens: result.imageTokens, imageTokenBudget: this.imageTokenBudget, promptTokens: result.promptTokens, loadMs };
				} finally {
					signal?.removeEventListener('abort', onAbort);
				}
			} finally {
				this.scheduleIdle();
			}
		});
	}

	private open(): Promise<NativeVisionSession> {
		const { addon, modelPath, mmprojPath, threads, contextSize = 8192, logger } = this.options;
		if (!this.session) {
			logger?.info(`vision: loading ${mmprojPath} for ${modelPath}`);
			this.session = addon.open({ modelPath, mmprojPath, threads, contextSize, imageMaxTokens: this.imageTokenBudget })
				.catch((error: unknown) => {
					this.session = undefined;
					throw nativeError(error);
				});
		}
		return this.session;
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
		const session = this.session;
		this.session = undefined;
		if (session) {
			const opened = await session.catch(() => undefined);
			if (opened) {
				this.options.addon.close(opened);
				this.options.logger?.info('vision: projector and model unloaded');
			}
		}
	}

	async dispose(): Promise<void> {
		if (this.disposed) return;
		this.disposed = true;
		this.clearIdle();
		const session = this.session;
		if (session) {
			// A running request is cancelled; close() frees the session once it has stopped.
			await session.then(s => this.options.addon.cancel(s), () => undefined);
		}
		await this.queue.run(() => this.unload());
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
		case 'mmprojLoadFailed':
		case 'noVision':
		case 'modelLoadFailed':
		case 'contextFailed':
			return new RuntimeError({ code: 'visionUnavailable', message, action: 'Check bora.chat.mmprojPath: it must be the mmproj file made for the chat model.' }, { cause: error });
		default:
			return new RuntimeError({ code: 'internal', message: `Image understanding failed: ${message}`, action: 'See the runtime log for details.' }, { cause: error });
	}
}
