import { ModelLibrary } from './catalog/ModelLibrary';
import { ChatEngine, type ChatEngineRequest, type ChatEngineResult, type ChatPromptInput } from './chat/ChatEngine';
import { SeparateChatModel } from './chat/SeparateChatModel';
import type { CompletionAvailability } from './completion/CompletionBackend';
import { CompletionEngine, type CompletionRequest, type CompletionResult, type PrefillRequest } from './completion/CompletionEngine';
import type { PrefillResult } from './completion/prefillSequence';
import type { ContextCreation } from './lifecycle/LazyContext';
import { DisposedError } from './errors/DisposedError';
import { RuntimeError } from './errors/RuntimeError';
import { silentLogger, type Logger } from './Logger';
import { createLlama, type LlamaHandle } from './loading/createLlama';
import { chatModelPathOf, contextSizeOf, cpuExpertsOf, gpuLayersOf, gpuReserveBytesOf, loadSettingsChanged, loadTargetOf, optional, type LoadTarget } from './loading/loadSettings';
import { keepCurrentIfUnusable } from './loading/unusableReplacement';
import { loadOrRestore, type RejectedModel } from './loading/loadOrRestore';
import { FailedLoadMemory } from './loading/FailedLoadMemory';
import { loadModel, type LoadedModel } from './loading/loadModel';
import { loadDraftModel } from './completion/draft/loadDraftModel';
import { SpeedForecaster } from './forecast/SpeedForecaster';
import { defaultRuntimeSettings, type ModelInfo, type RuntimeSettings, type RuntimeState } from '../shared/types';
import { RuntimeStatus, type Disposable } from './state/RuntimeStatus';
import type { ThoughtBudgets } from './reasoning/planReasoning';
import { Scheduler } from './scheduler/Scheduler';
import { SerialQueue } from './util/SerialQueue';
import { abortable } from './util/abortable';
import type { ExplainImageResult } from './vision/VisionEngine';
import { VisionService, type ImageQuestion, type VisionStatus } from './vision/VisionService';

export interface RuntimeOptions {
	/** Defaults to a logger that drops everything. */
	readonly logger?: Logger;
	/** Thought budgets per reasoning effort (tests set small ones). Defaults to `defaultThoughtBudgets`. */
	readonly thoughtBudgets?: ThoughtBudgets;
	/** Tokens of KV cache for chat. Defaults to the chat model's trained context, at most `8192`. */
	readonly chatContextSize?: number;
	/** Unload the vision projector this long after the last image question. Defaults to `120000` ms. */
	readonly visionIdleMs?: number;
	/**
	 * Quiet time after a load (and after the last request) before measuring the speed forecast, so
	 * the first completions go first; a request arriving during the measurement stops it and it runs
	 * again later. Defaults to `3000` ms; `false` never measures (stored forecasts are still reused).
	 */
	readonly forecastDelayMs?: number | false;
	/** Free the completion KV cache after this long without a request or prefill (see `CompletionEngineOptions.idleReleaseMs`). Defaults to `300000` ms. */
	readonly completionIdleReleaseMs?: number;
	/** A request with more tokens than this to evaluate is answered from a short prompt (see `CompletionEngineOptions.coldPromptTokens`). Defaults to `2048`. */
	readonly completionColdPromptTokens?: number;
	/** The device's scheduler; a process that runs several runtimes (the shared runtime) gives them one. Defaults to a scheduler of its own. */
	readonly scheduler?: Scheduler;
	/**
	 * Where llama.cpp comes from for `gpu` and `threads`; a shared runtime gives every Runtime the
	 * same one and disposes it itself. Defaults to creating (and disposing) one of its own.
	 */
	readonly llamas?: LlamaSource;
	/**
	 * Asked before each load of the completion model; throws a {@link RuntimeError} to refuse it (the
	 * shared runtime refuses a model that does not fit beside those other windows use), which becomes
	 * the state's error. Defaults to admitting every load.
	 */
	readonly admitLoad?: (target: LoadTarget, signal: AbortSignal) => Promise<void>;
}

/** llama.cpp for a GPU mode and thread count, owned by whoever provides it. */
export type LlamaSource = (gpu: RuntimeSettings['gpu'], threads: number) => Promise<LlamaHandle>;

/** The completion context of the loaded model, for tests and diagnostics. */
export interface CompletionContextInfo {
	/** Whether its KV cache is allocated now. */
	readonly held: boolean;
	/** Every creation on the loaded model, with the lane of the work that paid for it. */
	readonly creations: readonly ContextCreation[];
}

/**
 * The one object the server talks to: it owns llama.cpp, the loaded model and the engines that use
 * it, applies settings, and reports every state change. Loads and unloads are serialised.
 */
export class Runtime implements AsyncDisposable {
	private readonly logger: Logger;
	private readonly lifecycle = new SerialQueue();
	private settings: RuntimeSettings = defaultRuntimeSettings;
	private readonly status: RuntimeStatus;
	private llama: { handle: LlamaHandle; key: string } | undefined;
	/** The completion model, with what it was loaded with so it can be loaded again when its replacement fails. */
	private loaded: { model: LoadedModel; completion: CompletionEngine; chat?: ChatEngine; target: LoadTarget; draft?: LoadedModel } | undefined;
	/** A chat model in its own file (bora.chat.modelPath), loaded on the first chat request. */
	private readonly separateChat: SeparateChatModel;
	/**
	 * Decides what runs on the device (see `scheduler/lanes.ts`): completions first, chat pausing
	 * for them, background work stopping for anything. Public so the idle prefill can use its lanes.
	 */
	readonly scheduler: Scheduler;
	private readonly llamas: LlamaSource | undefined;
	private readonly admitLoad: RuntimeOptions['admitLoad'];
	private readonly thoughtBudgets: ThoughtBudgets | undefined;
	private readonly chatContextSize: number | undefined;
	private readonly completionIdleReleaseMs: number | undefined;
	private readonly completionColdPromptTokens: number | undefined;
	private pendingLoad: Promise<void> = Promise.resolve();
	private readonly failedLoads = new FailedLoadMemory();
	private loadAbort: AbortController | undefined;
	private disposed = false;
	/** Image questions: the chat model plus its mmproj, loaded on the first image and unloaded when idle. */
	private readonly vision: VisionService;
	private readonly forecaster: SpeedForecaster;
	/** The Models view's hardware, catalog, fits and downloads, on this runtime's llama.cpp. */
	readonly models: ModelLibrary;

	constructor({ logger = silentLogger, thoughtBudgets, chatContextSize, visionIdleMs, forecastDelayMs = 3000, completionIdleReleaseMs, completionColdPromptTokens, scheduler = new Scheduler(), llamas, admitLoad }: RuntimeOptions = {}) {
		this.logger = logger;
		this.scheduler = scheduler;
		this.llamas = llamas;
		this.admitLoad = admitLoad;
		this.completionIdleReleaseMs = completionIdleReleaseMs;
		this.completionColdPromptTokens = completionColdPromptTokens;
		this.models = new ModelLibrary({ llama: async () => (await this.llamaHandle()).llama, logger, vramReserveBytes: () => gpuReserveBytesOf(this.settings) });
		this.status = new RuntimeStatus(logger);
		this.forecaster = new SpeedForecaster({ delayMs: forecastDelayMs, scheduler: this.scheduler, lifecycle: this.lifecycle, logger });
		this.separateChat = new SeparateChatModel({
			getLlama: () => this.getLlama(),
			loadOptions: () => ({ gpuLayers: gpuLayersOf(this.settings), cpuExperts: cpuExpertsOf(this.settings), gpuReserveBytes: gpuReserveBytesOf(this.settings), ...optional('contextSize', contextSizeOf(this.settings)), targetContextSize: this.chatContextSize ?? 8192 }),
			createEngine: model => this.createChatEngine(model),
			logger,
		});
		this.vision = new VisionService({
			settings: () => this.settings,
			getLlama: async () => {
				await this.settled(undefined);
				return this.getLlama();
			},
			chatModel: async signal => (await this.chatTarget(signal)).model,
			renderPrompt: (input, signal) => this.renderChatPrompt(input, signal),
			logger,
			idleMs: visionIdleMs,
		});
		this.thoughtBudgets = thoughtBudgets;
		this.chatContextSize = chatContextSize;
	}

	/** The loaded model's completion context; none held and no creations while no model is loaded. */
	get completionContext(): CompletionContextInfo {
		return { held: this.loaded?.completion.holdsContext ?? false, creations: this.loaded?.completion.contextCreations ?? [] };
	}

	/** Resolves once the background evaluation of a cold request's whole prompt is done or given up (tests wait on it, not on time). */
	whenCompletionBackgroundSettled(): Promise<void> {
		return this.loaded?.completion.whenColdBackgroundSettled() ?? Promise.resolve();
	}

	/** Distinct models in memory: 1 when chat and completion use the same GGUF, which is loaded once. */
	get loadedModelCount(): number {
		return (this.loaded ? 1 : 0) + (this.separateChat.isLoaded ? 1 : 0);
	}

	get state(): RuntimeState {
		return this.status.current;
	}

	onDidChangeState(listener: (state: RuntimeState) => void): Disposable {
		return this.status.onDidChange(listener);
	}

	/** llama.cpp for model tools (hardware detection, download verification), started when needed. */
	async llamaHandle(): Promise<LlamaHandle> {
		this.ensureNotDisposed();
		return this.llama?.handle ?? this.lifecycle.run(() => this.getLlama());
	}

	/** Applies new settings; reloads the model only when something that affects loading changed. */
	configure(settings: RuntimeSettings): Promise<void> {
		const previous = this.settings;
		this.settings = settings;
		const state = this.status.current;
		const changed = loadSettingsChanged(previous, settings);
		if (changed) {
			this.failedLoads.forget();
		}
		const reload = changed || (state.kind === 'idle' && settings.modelPath !== '')
			// A rejected file may have been fixed (the download finished, the file was replaced): check it again.
			|| (state.kind === 'ready' && state.rejected !== undefined);
		if (reload) {
			return this.startLoad();
		}
		if ((previous.draftModelPath ?? '') !== (settings.draftModelPath ?? '')) {
			// Only the draft model changed: the completion model stays, its engine gets the new draft.
			this.pendingLoad = this.lifecycle.run(() => this.replaceDraft(this.loadAbort?.signal));
		}
		if (chatModelPathOf(previous) !== chatModelPathOf(settings)) {
			// Only the chat model changed: the completion model stays; the chat one loads on the next chat.
			this.pendingLoad = this.lifecycle.run(async () => {
				await this.separateChat.unload();
				await this.refreshChatModelInfo();
			});
		}
		return this.pendingLoad;
	}

	/** Unloads the current model and loads the configured one again from disk, even one that failed before. */
	reload(): Promise<void> {
		this.failedLoads.forget();
		return this.startLoad();
	}

	private startLoad(): Promise<void> {
		this.loadAbort?.abort();
		this.forecaster.cancel();
		const abort = new AbortController();
		this.loadAbort = abort;
		this.pendingLoad = this.lifecycle.run(() => this.load(abort.signal));
		return this.pendingLoad;
	}

	/**
	 * Waits for a pending load, then completes on the loaded model in the configured mode. Whether to
	 * complete at all, and how many suggestions, is the completion service's decision.
	 */
	async complete(request: CompletionRequest): Promise<CompletionResult> {
		// A job from arrival, so a chat answer pauses before its next token while this request waits or runs.
		return this.scheduler.run({ lane: request.lane ?? 'interactive', clientId: request.clientId, signal: request.signal }, async job => {
			await this.settled(job.signal);
			return await this.readyModel().completion.complete({ mode: this.settings.completionMode ?? defaultRuntimeSettings.completionMode, ...request }, job);
		});
	}

	/** A client (window) left: its completion context is freed; the model stays for the others. */
	releaseClient(clientId: string): void {
		this.loaded?.completion.releaseClient(clientId).catch((error: unknown) => this.logger.warn(`Freeing the completion context of ${clientId}: ${error instanceof Error ? error.message : String(error)}`));
	}

	/** Whether {@link complete} can serve a request now (in `mode`, defaulting to the configured one), and why not; at once, without waiting for a load. */
	completionAvailability(mode: RuntimeSettings['completionMode'] = this.settings.completionMode): CompletionAvailability {
		const notReady = this.status.notReadyError();
		if (notReady) {
			return { available: false, reason: 'notReady', error: notReady };
		}
		// Between unloading the old model and reporting the new load: `complete` waits for the load.
		const error = this.loaded?.completion.unavailableError(mode);
		return error ? { available: false, reason: 'modeUnavailable', error: error.toInfo() } : { available: true };
	}

	/**
	 * Evaluates the next completion's head ahead of it (see {@link CompletionEngine.prefill}); nothing
	 * while no model is ready (it does not wait for a load: its speculative job would pause a chat
	 * meanwhile; the server asks again once the model is ready).
	 */
	async prefillCompletion(request: PrefillRequest, signal?: AbortSignal): Promise<PrefillResult | undefined> {
		const ready = this.status.current.kind === 'ready' ? this.loaded : undefined;
		return ready?.completion.prefill(request, signal);
	}

	/**
	 * Answers a chat message with the chat model (`chatModelPath`, else the completion model, which is
	 * then shared, not loaded twice), streaming thought and answer separately through `onChunk`.
	 * Completion requests go first: the answer pauses between tokens while one is pending.
	 */
	async chat(request: ChatEngineRequest): Promise<ChatEngineResult> {
		return (await this.chatEngine(request.signal)).chat(request);
	}

	/** The exact prompt the chat model would see for this input, special tokens written out. */
	async renderChatPrompt(input: ChatPromptInput, signal?: AbortSignal): Promise<string> {
		return (await this.chatEngine(signal)).renderPrompt(input);
	}

	/** Answers a question about an image with the chat model and `mmprojPath`, streaming through `onText`. */
	explainImage(request: ImageQuestion): Promise<ExplainImageResult> {
		this.ensureNotDisposed();
		return this.vision.explain(request);
	}

	/** Whether image questions can be answered with the current settings, and why not. */
	visionStatus(): Promise<VisionStatus> {
		return this.vision.status();
	}

	async dispose(): Promise<void> {
		if (this.disposed) {
			return;
		}
		this.disposed = true;
		this.loadAbort?.abort();
		this.forecaster.cancel();
		await this.vision.dispose();
		await this.lifecycle.run(async () => {
			await this.separateChat.unload();
			await this.unload();
			if (!this.llamas) {
				await this.llama?.handle.llama.dispose();
			}
			this.llama = undefined;
		});
		this.status.dispose();
	}

	[Symbol.asyncDispose](): Promise<void> {
		return this.dispose();
	}

	private async load(signal: AbortSignal): Promise<void> {
		if (signal.aborted || this.disposed) {
			return;
		}
		const target = loadTargetOf(this.settings);
		const { modelPath } = target;
		const keep = { status: this.status, loaded: this.loaded !== undefined, modelPath, llama: async () => (await this.getLlama()).llama, signal, logger: this.logger };
		// A settings push that changes nothing about a failed load keeps the model that stood in for it.
		if (await keepCurrentIfUnusable(keep) || (this.loaded && await this.failedLoads.wouldRepeat(target))) {
			return;
		}
		const previous = this.status.current.kind === 'ready' ? this.loaded?.target : undefined;
		// Free the old models first: two large models side by side may not fit.
		await this.separateChat.unload();
		await this.unload();
		if (!modelPath) {
			this.status.setNoModel();
			return;
		}
		if (this.admitLoad) {
			try {
				await this.admitLoad(target, signal);
			} catch (error) {
				const refused = RuntimeError.from(error, { code: 'outOfMemory', message: `${modelPath} cannot be loaded`, action: 'See the runtime log for details.' });
				this.logger.warn(`${refused.message} ${refused.action}`);
				this.status.set({ kind: 'error', modelPath, error: refused.toInfo() });
				return;
			}
		}
		await loadOrRestore({
			target, previous, signal, logger: this.logger,
			load: (next, rejected) => this.loadTarget(next, signal, rejected),
			onFailure: error => this.status.set({ kind: 'error', modelPath, error: error.toInfo() }),
			failures: this.failedLoads,
		});
	}

	/** Loads one model and reports it ready (with the model it stands in for, if any); throws when the load fails. */
	private async loadTarget(target: LoadTarget, signal: AbortSignal, rejected?: RejectedModel): Promise<void> {
		const { modelPath } = target;
		await this.unload();
		this.status.set({ kind: 'loading', modelPath, progress: 0 });
		const started = performance.now();
		const handle = await this.getLlama();
		const model = await loadModel(handle, {
			modelPath,
			signal,
			gpuLayers: target.gpuLayers,
			cpuExperts: target.cpuExperts,
			gpuReserveBytes: gpuReserveBytesOf(this.settings),
			...optional('contextSize', target.contextSize),
			onProgress: progress => {
				if (!signal.aborted) {
					this.status.reportLoadProgress(modelPath, progress);
				}
			},
		});
		if (signal.aborted) {
			await model.dispose();
			return;
		}
		const { draft, notice: draftNotice } = await this.loadDraft(handle, model, target.gpuLayers, signal);
		this.loaded = { model, target, completion: this.createCompletionEngine(handle, model, draft), ...(draft ? { draft } : {}) };
		const loadMs = Math.round(performance.now() - started);
		this.logger.info(`Loaded ${model.info.name} (${model.info.architecture}) on ${handle.backend} with ${handle.threads} threads (${handle.generationThreads} while generating) in ${loadMs} ms; FIM: ${model.info.fim.supported ? model.info.fim.format : 'none'}`);
		if (model.experts?.summary) {
			this.logger.info(`Routed experts (bora.moe.cpuExperts = ${target.cpuExperts}): ${model.experts.summary}`);
		}
		if (model.notice) {
			this.logger.warn(model.notice);
		}
		const notice = [model.notice, draftNotice].filter(Boolean).join(' ');
		const chatModel = await this.describeChatModel();
		const loaded = this.loaded;
		const { forecast, measure } = await this.forecaster.forLoad(handle, model, {
			storageDir: this.settings.storageDir,
			isCurrent: () => !this.disposed && this.loaded === loaded,
			onForecast: forecast => this.status.updateReady(state => state.model.path === model.info.path ? { ...state, forecast } : state),
		});
		this.status.set({
			kind: 'ready', model: model.info, backend: handle.backend, threads: handle.threads, generationThreads: handle.generationThreads, loadMs, gpuLayers: model.gpuLayers, fit: model.fit,
			...optional('contextSize', model.contextSize),
			...optional('experts', model.experts),
			...(notice ? { notice } : {}),
			...(chatModel ? { chatModel } : {}),
			...(forecast ? { forecast } : {}),
			...(rejected ? { rejected } : {}),
		});
		// After "ready", not before it: the client may send requests at once, and they wait for this context rather than make their own.
		if (this.settings.completionEnabled) {
			loaded.completion.warmUp().catch((error: unknown) => this.logger.warn(`Creating the completion context ahead failed: ${error instanceof Error ? error.message : String(error)}`));
		}
		measure();
	}

	private createCompletionEngine(handle: LlamaHandle, model: LoadedModel, draft: LoadedModel | undefined): CompletionEngine {
		return new CompletionEngine(model, {
			threads: handle.threads, generationThreads: handle.generationThreads, ...optional('contextSize', model.contextSize),
			onNotice: notice => this.status.addNotice(notice), scheduler: this.scheduler,
			...optional('idleReleaseMs', this.completionIdleReleaseMs), ...optional('coldPromptTokens', this.completionColdPromptTokens), ...optional('draft', draft),
		});
	}

	/**
	 * Loads `draftModelPath` for `model`; a draft that cannot be used is a notice, not a failure:
	 * completion works as well without it, only slower.
	 */
	private async loadDraft(handle: LlamaHandle, model: LoadedModel, gpuLayers: LoadTarget['gpuLayers'], signal: AbortSignal | undefined): Promise<{ draft?: LoadedModel; notice?: string }> {
		const draftPath = this.settings.draftModelPath ?? '';
		if (!draftPath || 'reason' in model.fim) {
			return {};
		}
		try {
			const draft = await loadDraftModel(handle, { draftPath, target: model, gpuLayers, signal });
			this.logger.info(`Draft model for completion: ${draft.info.name} (${draft.info.architecture}), ${draft.gpuLayers} layers on the GPU`);
			return { draft };
		} catch (error) {
			const failure = RuntimeError.from(error, { code: 'loadFailed', message: `The draft model ${draftPath} could not be loaded`, action: 'Check bora.completion.draftModelPath, or clear it.' });
			const notice = `${failure.message}. Completing without it. ${failure.action}`;
			this.logger.warn(notice);
			return { notice };
		}
	}

	/** Swaps the completion engine's draft model, keeping the loaded completion model. */
	private async replaceDraft(signal: AbortSignal | undefined): Promise<void> {
		const loaded = this.loaded;
		if (!loaded || this.disposed) {
			return;
		}
		const handle = await this.getLlama();
		await loaded.completion.dispose();
		await loaded.draft?.dispose();
		const { draft, notice } = await this.loadDraft(handle, loaded.model, loaded.target.gpuLayers, signal);
		const { draft: _replaced, ...rest } = loaded;
		this.loaded = { ...rest, completion: this.createCompletionEngine(handle, loaded.model, draft), ...(draft ? { draft } : {}) };
		this.status.updateReady(({ notice: _previous, ...state }) => notice ? { ...state, notice } : state);
		if (this.settings.completionEnabled) {
			this.loaded.completion.warmUp().catch((error: unknown) => this.logger.warn(`Creating the completion context ahead failed: ${error instanceof Error ? error.message : String(error)}`));
		}
	}

	private async getLlama(): Promise<LlamaHandle> {
		const { gpu, threads } = this.settings;
		const key = `${gpu}/${threads}`;
		if (this.llama?.key !== key) {
			if (!this.llamas) {
				await this.llama?.handle.llama.dispose();
			}
			this.llama = undefined;
			this.llama = { handle: await (this.llamas?.(gpu, threads) ?? createLlama({ gpu, threads, logger: this.logger })), key };
		}
		return this.llama.handle;
	}

	private async unload(): Promise<void> {
		const loaded = this.loaded;
		this.loaded = undefined;
		if (loaded) {
			await loaded.chat?.dispose();
			await loaded.completion.dispose();
			await loaded.draft?.dispose();
			await loaded.model.dispose();
		}
	}

	/** The separate chat model's facts from its header, so the UI knows its reasoning before the first chat. */
	private async describeChatModel(): Promise<ModelInfo | undefined> {
		const chatPath = chatModelPathOf(this.settings);
		return chatPath && chatPath !== this.settings.modelPath ? this.separateChat.describe(chatPath) : undefined;
	}

	private async refreshChatModelInfo(): Promise<void> {
		const chatModel = await this.describeChatModel();
		this.status.updateReady(({ chatModel: _previous, ...rest }) => chatModel ? { ...rest, chatModel } : rest);
	}

	/** Waits for a pending load; a reload may start meanwhile, so wait until the latest has settled. */
	private async settled(signal: AbortSignal | undefined): Promise<void> {
		for (let pending = this.pendingLoad; ; pending = this.pendingLoad) {
			await abortable(pending, signal);
			if (pending === this.pendingLoad) {
				return;
			}
		}
	}

	/** The completion model, or the {@link RuntimeError} that explains why there is none. */
	private readyModel(): NonNullable<Runtime['loaded']> {
		const notReady = this.status.notReadyError();
		if (notReady) {
			throw new RuntimeError(notReady);
		}
		return this.loaded!;
	}

	private async chatEngine(signal: AbortSignal | undefined): Promise<ChatEngine> {
		return (await this.chatTarget(signal)).engine;
	}

	/**
	 * The chat model and its engine: the completion model when chat uses the same file (loaded once),
	 * else the separate chat model, loaded on first use. Chat and image questions both come here, so a
	 * model loaded for either serves the other.
	 */
	private async chatTarget(signal: AbortSignal | undefined): Promise<{ engine: ChatEngine; model: LoadedModel }> {
		this.ensureNotDisposed();
		await this.settled(signal);
		const chatPath = chatModelPathOf(this.settings);
		if (!chatPath) {
			throw new RuntimeError({ code: 'noModel', message: 'No model is configured for chat.', action: 'Set bora.chat.modelPath, or choose a model with "Bora: Select GGUF Model…".' });
		}
		if (chatPath === this.settings.modelPath) {
			const loaded = this.readyModel();
			loaded.chat ??= this.createChatEngine(loaded.model);
			return { engine: loaded.chat, model: loaded.model };
		}
		const separate = await abortable(this.lifecycle.run(async () => {
			this.ensureNotDisposed();
			return this.separateChat.loadedFor(chatPath, signal);
		}), signal);
		return { engine: separate.chat, model: separate.model };
	}

	private createChatEngine(model: LoadedModel): ChatEngine {
		return new ChatEngine(model, {
			threads: this.llama!.handle.threads,
			generationThreads: this.llama!.handle.generationThreads,
			scheduler: this.scheduler,
			thoughtBudgets: this.thoughtBudgets,
			// The fit's context when free memory made it smaller than the target; the chat default otherwise.
			...optional('contextSize', contextSizeOf(this.settings) ?? (model.contextLimited ? Math.min(model.contextSize!, this.chatContextSize ?? 8192) : this.chatContextSize)),
			onNotice: notice => this.status.addNotice(notice),
		});
	}

	/** Settles when the latest speed measurement has finished, given up or been cancelled. */
	whenForecastSettled(): Promise<void> {
		return this.forecaster.whenSettled();
	}

	private ensureNotDisposed(): void {
		if (this.disposed) {
			throw new DisposedError();
		}
	}
}
