import { CompletionEngine, type CompletionRequest, type CompletionResult } from './completion/CompletionEngine';
import { RuntimeError } from './errors/RuntimeError';
import { silentLogger, type Logger } from './Logger';
import { createLlama, type LlamaHandle } from './model/createLlama';
import { loadModel, type LoadedModel } from './model/loadModel';
import { defaultRuntimeSettings, type RuntimeErrorInfo, type RuntimeSettings, type RuntimeState } from './types';
import { SerialQueue } from './util/SerialQueue';

export interface RuntimeOptions {
	/** Defaults to a logger that drops everything. */
	readonly logger?: Logger;
}

export interface Disposable {
	dispose(): void;
}

const noModel: RuntimeErrorInfo = {
	code: 'noModel',
	message: 'No model is configured.',
	action: 'Choose a GGUF file with "Bora: Select GGUF Model…" or set bora.modelPath.',
};

/**
 * The one object the server talks to: it owns llama.cpp, the loaded model and the engines that use
 * it, applies settings, and reports every state change. Loads and unloads are serialised.
 */
export class Runtime implements AsyncDisposable {
	private readonly logger: Logger;
	private readonly lifecycle = new SerialQueue();
	private readonly listeners = new Set<(state: RuntimeState) => void>();
	private settings: RuntimeSettings = defaultRuntimeSettings;
	private currentState: RuntimeState = { kind: 'idle', reason: noModel };
	private llama: { handle: LlamaHandle; key: string } | undefined;
	private loaded: { model: LoadedModel; completion: CompletionEngine } | undefined;
	private pendingLoad: Promise<void> = Promise.resolve();
	private loadAbort: AbortController | undefined;
	private disposed = false;

	constructor({ logger = silentLogger }: RuntimeOptions = {}) {
		this.logger = logger;
	}

	get state(): RuntimeState {
		return this.currentState;
	}

	onDidChangeState(listener: (state: RuntimeState) => void): Disposable {
		this.listeners.add(listener);
		return { dispose: () => this.listeners.delete(listener) };
	}

	/** Applies new settings; reloads the model only when something that affects loading changed. */
	configure(settings: RuntimeSettings): Promise<void> {
		const previous = this.settings;
		this.settings = settings;
		const reload = previous.modelPath !== settings.modelPath || previous.gpu !== settings.gpu || previous.threads !== settings.threads
			|| (this.currentState.kind === 'idle' && settings.modelPath !== '');
		return reload ? this.reload() : this.pendingLoad;
	}

	/** Unloads the current model and loads the configured one again from disk. */
	reload(): Promise<void> {
		this.loadAbort?.abort();
		const abort = new AbortController();
		this.loadAbort = abort;
		this.pendingLoad = this.lifecycle.run(() => this.load(abort.signal));
		return this.pendingLoad;
	}

	/** Waits for a pending load, then runs fill-in-the-middle on the loaded model. */
	async complete(request: CompletionRequest): Promise<CompletionResult> {
		if (!this.settings.completionEnabled) {
			throw new RuntimeError({ code: 'completionDisabled', message: 'Inline completion is turned off.', action: 'Run "Bora: Toggle Inline Completion" or set bora.completion.enabled.' });
		}
		// A reload may start while waiting for the previous one; wait until the latest has settled.
		for (let pending = this.pendingLoad; ; pending = this.pendingLoad) {
			await abortable(pending, request.signal);
			if (pending === this.pendingLoad) {
				break;
			}
		}
		const state = this.currentState;
		switch (state.kind) {
			case 'ready':
				return this.loaded!.completion.complete(request);
			case 'idle':
				throw new RuntimeError(state.reason);
			case 'error':
				throw new RuntimeError(state.error);
			case 'loading':
				throw new RuntimeError({ code: 'internal', message: 'The model is still loading.', action: 'Try again in a moment.' });
			default:
				void (state satisfies never);
				throw new Error('unreachable');
		}
	}

	async dispose(): Promise<void> {
		if (this.disposed) {
			return;
		}
		this.disposed = true;
		this.loadAbort?.abort();
		await this.lifecycle.run(async () => {
			await this.unload();
			await this.llama?.handle.llama.dispose();
			this.llama = undefined;
		});
		this.listeners.clear();
	}

	[Symbol.asyncDispose](): Promise<void> {
		return this.dispose();
	}

	private async load(signal: AbortSignal): Promise<void> {
		if (signal.aborted || this.disposed) {
			return;
		}
		// Free the old model first: two large models side by side may not fit.
		await this.unload();
		const { modelPath } = this.settings;
		if (!modelPath) {
			this.setState({ kind: 'idle', reason: noModel });
			return;
		}
		this.setState({ kind: 'loading', modelPath, progress: 0 });
		const started = performance.now();
		try {
			const handle = await this.getLlama();
			let lastReported = 0;
			const model = await loadModel(handle, {
				modelPath,
				signal,
				onProgress: progress => {
					// Throttled so a fast load does not flood the client with notifications.
					// llama.cpp reports progress from its own thread, so a report can arrive after the load
					// finished; it must not turn a ready runtime back into a loading one.
					const stillLoading = this.currentState.kind === 'loading' && this.currentState.modelPath === modelPath;
					if (stillLoading && !signal.aborted && (progress - lastReported >= 0.05 || progress >= 1)) {
						lastReported = progress;
						this.setState({ kind: 'loading', modelPath, progress });
					}
				},
			});
			if (signal.aborted) {
				await model.dispose();
				return;
			}
			this.loaded = { model, completion: new CompletionEngine(model, { threads: handle.threads }) };
			const loadMs = Math.round(performance.now() - started);
			this.logger.info(`Loaded ${model.info.name} (${model.info.architecture}) on ${handle.backend} with ${handle.threads} threads in ${loadMs} ms; FIM: ${model.info.fim.supported ? model.info.fim.format : 'none'}`);
			this.setState({ kind: 'ready', model: model.info, backend: handle.backend, threads: handle.threads, loadMs });
		} catch (error) {
			if (signal.aborted) {
				return;
			}
			const failure = RuntimeError.from(error, { code: 'loadFailed', message: `Could not load ${modelPath}`, action: 'See the runtime log for details.' });
			this.logger.error(`Loading ${modelPath} failed: ${failure.message}`);
			this.setState({ kind: 'error', modelPath, error: failure.toInfo() });
		}
	}

	private async getLlama(): Promise<LlamaHandle> {
		const { gpu, threads } = this.settings;
		const key = `${gpu}/${threads}`;
		if (this.llama?.key !== key) {
			await this.llama?.handle.llama.dispose();
			this.llama = undefined;
			this.llama = { handle: await createLlama({ gpu, threads, logger: this.logger }), key };
		}
		return this.llama.handle;
	}

	private async unload(): Promise<void> {
		const loaded = this.loaded;
		this.loaded = undefined;
		if (loaded) {
			await loaded.completion.dispose();
			await loaded.model.dispose();
		}
	}

	private setState(state: RuntimeState): void {
		this.currentState = state;
		for (const listener of [...this.listeners]) {
			try {
				listener(state);
			} catch (error) {
				this.logger.error(`State listener failed: ${String(error)}`);
			}
		}
	}
}

async function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
	if (!signal) {
		return promise;
	}
	signal.throwIfAborted();
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(signal.reason);
		signal.addEventListener('abort', onAbort, { once: true });
		promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}
