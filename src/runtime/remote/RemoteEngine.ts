import { setMaxListeners } from 'node:events';
import type { BackendCompletionRequest, BackendCompletionResult, CompletionAvailability } from '../completion/CompletionBackend';
import type { ChatEngineRequest, ChatEngineResult } from '../chat/ChatEngine';
import { RuntimeError } from '../errors/RuntimeError';
import { silentLogger, type Logger } from '../Logger';
import type { ThoughtBudgets } from '../reasoning/planReasoning';
import { abortable } from '../util/abortable';
import { checkDecodedSize } from '../vision/checkDecodedSize';
import { inspectImage } from '../vision/imageInfo';
import { readImageFile } from '../vision/readImageFile';
import { defaultImageQuestion, type ExplainImageResult } from '../vision/VisionEngine';
import type { ImageQuestion, VisionStatus } from '../vision/VisionService';
import type { RemoteEngineReport, RemoteEngineStatus } from '../../shared/protocol';
import type { RuntimeErrorInfo, RuntimeSettings, RuntimeState } from '../../shared/types';
import type { Disposable } from '../state/RuntimeStatus';
import { planRemoteFim } from './planRemoteFim';
import type { RemoteFacts } from './RemoteFacts';
import { probeServer, resolveModel, type RemoteModelFacts } from './probeServer';
import { RemoteHttp } from './RemoteHttp';
import { remoteChat, type RemoteChatBudget } from './remoteChat';
import { remoteComplete, type RemoteCompletionBudget, type RemoteCompletionTarget } from './remoteComplete';
import { LatencyForecast } from './LatencyForecast';
import { remoteReadyState } from './remoteModelInfo';
import { detectRemoteReasoning, planRemoteReasoning } from './remoteReasoning';
import { parseRemoteHeaders, parseRemoteUrl } from './remoteUrl';
import { testRemoteEngine } from './testRemoteEngine';

export interface RemoteEngineOptions {
	/** The session's log. Defaults to a logger that drops everything. */
	readonly logger?: Logger;
	/** Completion: most ms until the first streamed event (the prompt evaluated), and between events. Defaults to `10000` and `5000`. */
	readonly completionBudget?: RemoteCompletionBudget;
	/** Chat and images: most ms until the answer starts, and between streamed events. Defaults to `120000` and `60000`. */
	readonly chatBudget?: RemoteChatBudget;
	/** Thought budgets per effort (sent to llama-server). Defaults to `defaultThoughtBudgets`. */
	readonly thoughtBudgets?: ThoughtBudgets;
	/** Measure the latency forecast after the first successful probe. Defaults to `true`. */
	readonly measureForecast?: boolean;
	/** Most tokens of a suggestion (the bench compares at llama.vscode's length). Defaults to `128`, as locally. */
	readonly completionMaxTokens?: number;
}

/** Failures after which the server is asked again what it is, on the next request (never in a loop). */
const reprobeCodes = new Set<RuntimeErrorInfo['code']>(['remoteUnreachable', 'remoteUnauthorized', 'remoteModelNotFound', 'remoteTimeout']);

/**
 * One window's remote engine (bora.engine = remote): its own API key, its settings, and what the
 * server said about itself. Completion, chat and images go to the configured URL and nowhere else;
 * nothing loads locally. Every failure is a typed error the request answers with and the state
 * shows; the next request tries again, and a failure that may mean the server changed (unreachable,
 * refused key, unknown model, timeout) has the server probed again first.
 */
export class RemoteEngine {
	private settings: RuntimeSettings | undefined;
	private settingsKey = '';
	private apiKey: string | null = null;
	private http: RemoteHttp | undefined;
	private configError: RuntimeError | undefined;
	private facts: Promise<RemoteFacts> | undefined;
	private known: RemoteFacts | undefined;
	private lastError: RuntimeErrorInfo | undefined;
	private forecast = new LatencyForecast();
	/** Whether the chat model took an image; learned from `/props` or from the first try. */
	private acceptsImages: boolean | undefined;
	/** Aborted when the settings or key change, and on dispose: no request is left waiting on an old server. */
	private generation = new AbortController();
	private currentState: RuntimeState = { kind: 'idle', reason: { code: 'remoteNotConfigured', message: 'The remote engine has no settings yet.', action: 'Wait for the editor to finish starting Bora.' } };
	private readonly listeners = new Set<(state: RuntimeState) => void>();
	private readonly logger: Logger;
	private disposed = false;

	constructor(private readonly options: RemoteEngineOptions = {}) {
		this.logger = options.logger ?? silentLogger;
	}

	get state(): RuntimeState {
		return this.currentState;
	}

	onDidChangeState(listener: (state: RuntimeState) => void): Disposable {
		this.listeners.add(listener);
		return { dispose: () => this.listeners.delete(listener) };
	}

	/** Applies the remote settings; a change of server, headers or models cancels what runs and probes the server again. */
	configure(settings: RuntimeSettings): void {
		this.settings = settings;
		const key = JSON.stringify([settings.remoteUrl ?? '', settings.remoteHeaders ?? [], settings.remoteCompletionModel ?? '', settings.remoteChatModel ?? '', settings.remoteFimFormat ?? 'auto']);
		if (key === this.settingsKey) {
			return;
		}
		this.settingsKey = key;
		this.reset();
	}

	/** The key the client sent (`bora/remote/apiKey`); null clears it. Requests in flight are cancelled and the server probed again with it. */
	setApiKey(apiKey: string | null): void {
		const key = apiKey?.trim() || null;
		if (key === this.apiKey) {
			return;
		}
		this.apiKey = key;
		if (this.settings) {
			this.reset();
		}
	}

	completionAvailability(): CompletionAvailability {
		if (this.configError) {
			return { available: false, reason: 'notReady', error: this.configError.toInfo() };
		}
		return this.http ? { available: true } : { available: false, reason: 'notReady', error: (this.currentState.kind === 'idle' ? this.currentState.reason : undefined) ?? { code: 'remoteNotConfigured', message: 'The remote engine has no settings yet.', action: 'Wait for the editor to finish starting Bora.' } };
	}

	async complete(request: BackendCompletionRequest): Promise<BackendCompletionResult> {
		const signal = AbortSignal.any([request.signal, this.generation.signal]);
		return this.tracked(signal, async (facts, http) => {
			const started = performance.now();
			const result = await remoteComplete(this.completionTarget(facts, http), { ...request, signal }, this.completionBudget);
			this.forecast.record(performance.now() - started);
			return result;
		});
	}

	chat(request: ChatEngineRequest): Promise<ChatEngineResult> {
		const signal = AbortSignal.any([...(request.signal ? [request.signal] : []), this.generation.signal]);
		return this.tracked(signal, (facts, http) => remoteChat(this.chatTarget(facts, http), { ...request, signal }, this.chatBudget));
	}

	/** An image question: the same checks as a local one, then the chat model with the image as a data URL. */
	async explainImage({ image: source, question, history = [], signal: callerSignal, onText }: ImageQuestion): Promise<ExplainImageResult> {
		const signal = AbortSignal.any([...(callerSignal ? [callerSignal] : []), this.generation.signal]);
		const bytes = source instanceof Uint8Array ? source : await readImageFile(source.path, { signal });
		const image = inspectImage(bytes);
		await checkDecodedSize(bytes, image, { signal });
		return this.tracked(signal, async (facts, http) => {
			if (this.acceptsImages === false) {
				throw this.noImagesError(facts);
			}
			const dataUrl = `data:image/${image.format};base64,${Buffer.from(bytes).toString('base64')}`;
			let result: ChatEngineResult;
			try {
				result = await remoteChat(this.chatTarget(facts, http), {
					history, message: question?.trim() || defaultImageQuestion, effort: 'off', signal, image: { dataUrl },
					onChunk: chunk => chunk.kind === 'answer' && onText?.(chunk.text),
				}, this.chatBudget);
			} catch (error) {
				// A server that refuses image parts answers 4xx/5xx: remembered, so the panel says so before the next try.
				if (error instanceof RuntimeError && error.code === 'remoteServerError' && !signal.aborted && /image|multimodal|vision|mmproj/i.test(error.message)) {
					this.acceptsImages = false;
				}
				throw error;
			}
			this.acceptsImages = true;
			return { answer: result.answer, image, imageTokens: 0, imageTokenBudget: facts.server.kind === 'llama-server' ? 1024 : 0, promptTokens: 0, loadMs: 0, encoderBackend: `the remote engine at ${http.url.host}` };
		});
	}

	async visionStatus(): Promise<VisionStatus> {
		try {
			const facts = await this.ensureFacts(this.generation.signal);
			if (this.acceptsImages === false) {
				throw this.noImagesError(facts);
			}
			return { available: true, modelPath: facts.chat.id, mmprojPath: '', loaded: true, imageTokenBudget: facts.server.kind === 'llama-server' ? 1024 : 0 };
		} catch (error) {
			return { available: false, reason: error instanceof Error ? error.message : String(error) };
		}
	}

	/** The Models view's and status bar's view of the engine. */
	status(): RemoteEngineStatus {
		const facts = this.known;
		const forecastMs = this.forecast.ms;
		return {
			url: this.http?.url.api ?? withoutCredentials(this.settings?.remoteUrl ?? ''),
			hasApiKey: this.apiKey !== null,
			...(facts ? {
				serverKind: facts.server.kind,
				completionModel: { name: facts.completion.id, ...contextOf(facts, facts.completion), fimFormat: facts.fim.kind === 'chat' ? 'chat' : facts.fim.format.name },
				chatModel: { name: facts.chat.id, ...contextOf(facts, facts.chat), ...(this.acceptsImages === undefined ? {} : { acceptsImages: this.acceptsImages }) },
			} : {}),
			...(forecastMs === undefined ? {} : { forecastMs }),
			...(this.lastError ? { lastError: this.lastError } : {}),
		};
	}

	/** **Bora: Test Remote Engine**: the server probed afresh, then each role tried once. */
	async test(signal?: AbortSignal): Promise<RemoteEngineReport> {
		this.facts = undefined;
		const checks = await testRemoteEngine({
			facts: () => this.ensureFacts(signal),
			complete: request => this.complete({ ...request, signal: signal ?? new AbortController().signal }),
			chat: request => this.chat({ ...request, ...(signal ? { signal } : {}) }),
			explainImage: question => this.explainImage({ ...question, ...(signal ? { signal } : {}) }),
			imagesKnown: () => this.acceptsImages,
		});
		return { status: this.status(), checks };
	}

	dispose(): void {
		this.disposed = true;
		this.generation.abort();
		this.http?.dispose();
		this.listeners.clear();
	}

	private get completionBudget(): RemoteCompletionBudget {
		return this.options.completionBudget ?? { answerMs: 10_000, stallMs: 5000 };
	}

	private get chatBudget(): RemoteChatBudget {
		return this.options.chatBudget ?? { answerMs: 120_000, stallMs: 60_000 };
	}

	private completionTarget(facts: RemoteFacts, http: RemoteHttp): RemoteCompletionTarget {
		return {
			http, server: facts.server, model: facts.completion.id, fim: facts.fim,
			reasoningOff: planRemoteReasoning({ support: facts.reasoning, effort: 'off', serverKind: facts.server.kind, contextLength: 4096 }).body,
			sendExtraContext: this.settings?.remoteSendExtraContext ?? true,
			...(this.options.completionMaxTokens === undefined ? {} : { maxTokens: this.options.completionMaxTokens }),
			...(facts.completion.contextLength === undefined ? {} : { contextLength: facts.completion.contextLength }),
		};
	}

	private chatTarget(facts: RemoteFacts, http: RemoteHttp) {
		return {
			http, server: facts.server, model: facts.chat.id, reasoning: facts.reasoning,
			contextLength: facts.chat.contextLength ?? facts.server.props?.contextLength ?? 8192,
			...(this.options.thoughtBudgets ? { thoughtBudgets: this.options.thoughtBudgets } : {}),
		};
	}

	private noImagesError(facts: RemoteFacts): RuntimeError {
		return new RuntimeError({
			code: 'visionUnavailable',
			message: `Image understanding is unavailable: the remote chat model "${facts.chat.id}" does not accept images.`,
			action: facts.server.kind === 'llama-server' ? 'Start llama-server with --mmproj for the model\'s vision projector, or set bora.remote.chatModel to a model that reads images.' : 'Set bora.remote.chatModel to a model that reads images.',
		});
	}

	/**
	 * Runs one request against the facts (probing first when needed): a success clears the last
	 * error, a failure becomes it (and the state's notice), and a failure that may mean the server
	 * changed has it probed again on the next request.
	 */
	private async tracked<T>(signal: AbortSignal, work: (facts: RemoteFacts, http: RemoteHttp) => Promise<T>): Promise<T> {
		if (this.configError) {
			throw this.configError;
		}
		const http = this.http!;
		const generation = this.generation.signal;
		try {
			const facts = await this.ensureFacts(signal);
			let result: T;
			try {
				result = await work(facts, http);
			} catch (error) {
				if (!signal.aborted && error instanceof RuntimeError && error.code.startsWith('remote')) {
					this.fail(error);
				}
				throw error;
			}
			if (this.lastError) {
				this.lastError = undefined;
				this.publishReady();
			}
			return result;
		} catch (error) {
			if (generation.aborted && !this.disposed) {
				// Not the user's cancel: say why the answer stopped rather than "aborted".
				throw new RuntimeError({
					code: 'remoteNotConfigured',
					message: 'The remote engine\'s settings or API key changed while this request ran, so it was cancelled.',
					action: 'Ask again: the next request uses the new settings.',
				}, { cause: error });
			}
			throw error;
		}
	}


	private ensureFacts(signal: AbortSignal | undefined): Promise<RemoteFacts> {
		if (this.configError) {
			return Promise.reject(this.configError);
		}
		if (!this.facts) {
			const probe = this.probe(this.generation.signal);
			this.facts = probe;
			probe.then(facts => {
				if (this.facts === probe) {
					this.known = facts;
					this.lastError = undefined;
					this.publishReady();
					this.measureForecast();
				}
			}, (error: unknown) => {
				if (this.facts === probe) {
					this.facts = undefined;
					if (!this.generation.signal.aborted) {
						this.fail(RuntimeError.from(error, { code: 'remoteServerError', message: 'Probing the remote engine failed', action: 'See the runtime log.' }));
					}
				}
			});
		}
		return signal ? abortable(this.facts, signal) : this.facts;
	}

	private async probe(signal: AbortSignal): Promise<RemoteFacts> {
		const http = this.http!;
		const settings = this.settings!;
		const started = performance.now();
		const server = await probeServer(http, signal);
		const completion = resolveModel(server, settings.remoteCompletionModel ?? '', 'bora.remote.completionModel');
		const chat = settings.remoteChatModel?.trim() ? resolveModel(server, settings.remoteChatModel, 'bora.remote.chatModel') : completion;
		const fim = await planRemoteFim({ http, facts: server, model: completion.id, setting: settings.remoteFimFormat, logger: this.logger, signal });
		// llama-server's /props describes its one model: its template and modalities are the chat model's.
		const reasoning = detectRemoteReasoning(server.props?.chatTemplate, chat.id);
		if (server.props && this.acceptsImages === undefined) {
			this.acceptsImages = server.props.vision;
		}
		const probeMs = Math.round(performance.now() - started);
		this.logger.info(`Remote engine: ${server.kind} at ${http.url.host} in ${probeMs} ms; completion ${completion.id} (${fim.kind === 'chat' ? `chat mode: ${fim.reason}` : `FIM ${fim.format.name}, ${fim.kind === 'tokens' ? 'token ids' : 'text prompt'}`}), chat ${chat.id} (reasoning: ${reasoning.supported ? reasoning.family : 'none'})`);
		return { server, completion, chat, fim, reasoning, probeMs };
	}

	/** Settings or key changed: what ran is cancelled, the facts forgotten, and the server probed at once so the state shows it. */
	private reset(): void {
		this.generation.abort();
		this.generation = new AbortController();
		// Every request of this window listens to it: many at once are expected, not a leak.
		setMaxListeners(0, this.generation.signal);
		this.http?.dispose();
		this.facts = undefined;
		this.known = undefined;
		this.lastError = undefined;
		this.acceptsImages = undefined;
		this.forecast = new LatencyForecast();
		const settings = this.settings!;
		try {
			const url = parseRemoteUrl(settings.remoteUrl);
			const headers = parseRemoteHeaders(settings.remoteHeaders);
			this.configError = undefined;
			this.http = new RemoteHttp({ url, headers, apiKey: () => this.apiKey });
			if (url.insecure) {
				this.logger.warn(`Remote engine: ${url.host} is reached over plain http; prompts and the API key cross the network unencrypted.`);
			}
		} catch (error) {
			this.http = undefined;
			this.configError = RuntimeError.from(error, { code: 'remoteNotConfigured', action: 'Check bora.remote.url and bora.remote.headers.' });
			this.setState({ kind: 'error', modelPath: withoutCredentials(settings.remoteUrl ?? ''), error: this.configError.toInfo() });
			return;
		}
		this.setState({ kind: 'loading', modelPath: this.http.url.api, progress: 0 });
		this.ensureFacts(undefined).catch(() => {
			// The state says why.
		});
	}

	private fail(error: RuntimeError): void {
		this.lastError = error.toInfo();
		this.logger.warn(`Remote engine: ${error.message} ${error.action}`);
		if (reprobeCodes.has(error.code)) {
			this.facts = undefined;
		}
		if (this.known) {
			this.publishReady();
		} else {
			this.setState({ kind: 'error', modelPath: this.http?.url.api ?? '', error: error.toInfo() });
		}
	}

	/** Ready, on the remote server, with the last error as the notice while there is one. */
	private publishReady(): void {
		const facts = this.known;
		const http = this.http;
		if (facts && http) {
			const forecastMs = this.forecast.ms;
			this.setState(remoteReadyState({ url: http.url, ...facts, ...(this.lastError ? { lastError: this.lastError } : {}), ...(forecastMs === undefined ? {} : { forecastMs }) }));
		}
	}

	/** Three short suggestions against the server, once per server, so the forecast is there before the first keystroke. */
	private measureForecast(): void {
		if (this.options.measureForecast === false || this.forecast.measured || this.disposed) {
			return;
		}
		const signal = this.generation.signal;
		const forecast = this.forecast;
		forecast.measure(() => remoteComplete(this.completionTarget(this.known!, this.http!), {
			prefix: 'function add(a, b) {\n\t', suffix: '\n}\n', fileName: 'forecast.js', extraContext: [], candidates: 1,
			signal, alternativesSignal: signal, onText: () => undefined, lane: 'speculative',
		}, this.completionBudget)).then(() => {
			if (forecast === this.forecast) {
				this.publishReady();
			}
		}, () => {
			// The forecast stays unknown until a real request's latency gives one.
		});
	}

	private setState(state: RuntimeState): void {
		this.currentState = state;
		for (const listener of [...this.listeners]) {
			try {
				listener(state);
			} catch (error) {
				this.logger.error(`Remote state listener failed: ${String(error)}`);
			}
		}
	}
}

function contextOf(facts: RemoteFacts, model: RemoteModelFacts): { contextLength?: number } {
	const contextLength = model.contextLength ?? facts.server.props?.contextLength;
	return contextLength === undefined ? {} : { contextLength };
}

/** The configured URL as the status may show it: a user name or password in it (refused as a setting) is left out. */
function withoutCredentials(text: string): string {
	if (!URL.canParse(text.trim())) {
		return text.includes('@') ? '' : text;
	}
	const url = new URL(text.trim());
	url.username = '';
	url.password = '';
	return url.toString();
}
