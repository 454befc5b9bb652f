import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { CachingTokenizer } from '../fim/CachingTokenizer';
import { buildFimHead, buildFimPrompt, type FimContextChunk, type FimHead, type FimPromptInput } from '../fim/buildFimPrompt';
import type { FimFormat } from '../fim/FimFormat';
import type { LoadedModel } from '../loading/loadModel';
import { planReasoning } from '../reasoning/planReasoning';
import type { CompletionMode, CompletionModeSetting } from '../../shared/types';
import type { CompletionStats } from './CompletionStats';
import { completionModeOf } from '../../shared/completionMode';
import { modeUnavailableError } from './modeUnavailableError';
import { completeWithChatModel } from './chatMode/completeWithChatModel';
import { TemplateGuard } from '../chat/templateGuard/TemplateGuard';
import type { GuardedChatWrapper } from '../chat/templateGuard/GuardedChatWrapper';
import { DisposableBase } from '../lifecycle/DisposableBase';
import { LazyContext, type ContextCreation, type ContextUse, type LazyContextOptions } from '../lifecycle/LazyContext';
import type { Job } from '../scheduler/Job';
import { Scheduler } from '../scheduler/Scheduler';
import type { GenerationThreads } from '../util/generationThreads';
import type { EmptyReason } from './CompletionBackend';
import { endingFor } from './endings';
import { generateAlternatives } from './generateAlternatives';
import { generateTokens } from './generateTokens';
import { prefillSequence, type PrefillResult } from './prefillSequence';

export interface CompletionEngineOptions {
	/** Evaluation threads for the completion context. */
	readonly threads: number;
	/** Threads while generating, after the prompt (see `generationThreadsFor`). Defaults to `threads`. */
	readonly generationThreads?: number;
	/** Tokens of KV cache for completion. Defaults to the model's trained context, at most `4096`. */
	readonly contextSize?: number;
	/**
	 * After this long without a request the KV cache is freed; the next use creates it again.
	 * Defaults to `300_000` (5 minutes).
	 *
	 * Freed, not cleared: clearing the cache would keep its whole buffer allocated and save no
	 * memory, while the next keystroke would still pay for re-evaluating its prompt, which is the
	 * real cost (benchDense on 2 CPU threads, `test/bench/warmStart.bench.ts`: recreating the
	 * context 1.7 ms, re-evaluating a 3,800-token window 740 ms; freeing gave back 15 MiB resident,
	 * up to the 176 MiB estimated for a full 4,096-token cache). So it is freed, and the client's
	 * `bora/editorContext` on focus (editor switch, window focus) has the focused document's prompt
	 * evaluated ahead, which recreates the context off the keystroke's path.
	 */
	readonly idleReleaseMs?: number;
	/**
	 * Suffix tokens kept between the FIM suffix and middle markers in prefix-suffix-middle formats; the
	 * rest of the suffix goes in front of the prefix, so typing re-evaluates only these. See
	 * {@link FimPromptInput.volatileSuffixTokens}. Defaults to `32`.
	 */
	readonly volatileSuffixTokens?: number;
	/**
	 * A request whose prompt would evaluate more than this many tokens not in the KV cache (a cursor
	 * jump, a file not evaluated ahead) is answered from a shorter prompt instead: the same layout
	 * with the prefix cut from its start until the prompt after its head is at most this long (as
	 * llama.vscode sends llama-server one batch). The whole prompt, which shares the short one's
	 * beginning up to the prefix, is then evaluated in the background (`speculative` lane, after
	 * `coldBackgroundQuietMs`), so the next keystroke has the full context as a pure prefix hit.
	 * `0` turns it off. Defaults to `2048`.
	 */
	readonly coldPromptTokens?: number;
	/**
	 * Quiet time on the scheduler (no completion request) before the whole prompt of a request
	 * answered from the short one is evaluated; a request arriving stops that evaluation at its next
	 * batch. Defaults to `150` ms: under typing speed, so the next keystroke mostly finds it done.
	 */
	readonly coldBackgroundQuietMs?: number;
	/**
	 * Tokens evaluated in one batch (and micro-batch) of the completion context: a prompt goes in
	 * batches of this size, and a background evaluation stops for a request only between them.
	 * llama-bench pp2048 with -ub 512/1024/2048 on the bench models (2 threads, CPU, load under 1.7,
	 * two interleaved runs each): benchDense 5,858–6,237 / 5,716–5,945 / 5,590–5,600 tokens/s,
	 * benchMistral4 3,235–3,544 / 3,044–3,175 / 2,652–2,917, so on a CPU 512 is as fast as any (larger
	 * batches only won on a machine loaded past its cores, load 3.4) and a keystroke waits behind the
	 * fewest tokens. llama.vscode's presets use 1,024, for GPUs. Defaults to `512`.
	 */
	readonly batchSize?: number;
	/** Told when the context had to be smaller than asked for lack of memory. Defaults to nothing. */
	readonly onNotice?: (notice: string) => void;
	/**
	 * Requests run in its `interactive` (or `speculative`) lane and prefills in its `speculative`
	 * lane, so chat pauses for them and a real request stops a prefill. Defaults to a scheduler of the
	 * engine's own.
	 */
	readonly scheduler?: Scheduler;
}

/** Who a request is for, for the scheduler. */
export interface CompletionScheduling {
	/**
	 * `speculative` for a prefetch nobody has asked for yet: it stops (with a `PreemptedError`) as
	 * soon as a real request arrives. Defaults to `'interactive'`.
	 */
	readonly lane?: 'interactive' | 'speculative';
	/** The client (window) the request is for. Defaults to none. */
	readonly clientId?: string;
}

export interface CompletionRequest extends CompletionScheduling {
	/** Text before the cursor. */
	readonly prefix: string;
	/** Text after the cursor. */
	readonly suffix: string;
	/** Defaults to `128`. */
	readonly maxTokens?: number;
	/** The document's path relative to the workspace, for repo-level prompts. Defaults to `'file'`. */
	readonly fileName?: string;
	/** Extra context laid out before the file, oldest (most stable) first. Defaults to none. */
	readonly extraContext?: readonly FimContextChunk[];
	/** The workspace's name, for the repo-level format (Qwen `<|repo_name|>`). Defaults to none. */
	readonly repoName?: string;
	/** After this long generating (from the first token), the suggestion ends at the next newline. Defaults to `1500`. */
	readonly timeBudgetMs?: number;
	readonly signal?: AbortSignal;
	readonly onToken?: (token: Token) => void;
	/** Called with the raw text of the first suggestion after each token (before endings are applied). Defaults to none. */
	readonly onText?: (text: string) => void;
	/** `bora.completion.mode`. Defaults to `auto`. */
	readonly mode?: CompletionModeSetting;
	/** Suggestions to compute in all, best first, as the caller (the completion service) decided; the extra ones are fill-in-the-middle only. Defaults to `1`. */
	readonly candidates?: number;
	/** Stops computing extra suggestions (the first is kept). Defaults to `signal` alone. */
	readonly alternativesSignal?: AbortSignal;
}


/**
 * What {@link CompletionEngine.prefill} evaluates: the extra context every next request starts with,
 * and with `prefix` and `suffix` (the focused document at its cursor) the prompt a request there
 * would have, whose tokens up to the cursor line stay the same while the user types on that line.
 */
export type PrefillRequest = Pick<CompletionRequest, 'extraContext' | 'repoName' | 'clientId'> & Partial<Pick<CompletionRequest, 'prefix' | 'suffix' | 'fileName'>>;

export type { CompletionStats } from './CompletionStats';

export interface CompletionResult {
	readonly text: string;
	/** Further suggestions, distinct from `text` and each other after trimming, best first. */
	readonly alternatives: readonly string[];
	readonly stats: CompletionStats;
	/** Why `text` is empty: the model only repeated the text after the cursor, or wrote nothing usable. Absent when it is not. */
	readonly emptyReason?: EmptyReason;
}

const defaultContextSize = 4096;
const defaultMaxTokens = 128;
const defaultIdleReleaseMs = 5 * 60_000;
const defaultVolatileSuffixTokens = 32;
const defaultColdPromptTokens = 2048;
const defaultBatchSize = 512;
const defaultColdBackgroundQuietMs = 150;
/** Below this many tokens to evaluate, a short prompt could save too little to be worth building. */
const minimumSavingTokens = 64;

/**
 * Inline completion on one loaded model: native fill-in-the-middle when the vocabulary has FIM
 * tokens, else chat-model completion through the model's chat template. It owns one context
 * sequence for completion, so consecutive requests reuse each other's KV cache, and it runs one
 * request at a time.
 */
export class CompletionEngine extends DisposableBase {
	/**
	 * The completion KV caches, one per client (editor window) so two windows on one model do not
	 * evict each other's prompt on every keystroke; each freed after `idleReleaseMs` with no request
	 * or prefill, or when its client leaves ({@link releaseClient}). Work for no client (the warm-up)
	 * uses the `undefined` entry, which the first client without one of its own takes over.
	 */
	private readonly contexts = new Map<string | undefined, LazyContext>();
	private readonly contextOptions: LazyContextOptions;
	private readonly scheduler: Scheduler;
	private chatWrapper: Promise<GuardedChatWrapper> | undefined;
	/** The chat template, for chat-model completion: resolved and rendered in a worker under a bound. */
	private readonly templates: TemplateGuard;
	/** Tokens of each extra context chunk, kept while the caller keeps the chunk. */
	private readonly chunkTokens = new WeakMap<FimContextChunk, readonly Token[]>();
	/** For the prefill's prompt phase (requests get theirs from the context's sequence). */
	private readonly generationThreads: GenerationThreads | undefined;
	/** The file's text around the cursor line is the same keystroke after keystroke; its tokens are kept. */
	private readonly tokenizer: CachingTokenizer;
	/** Stops the background evaluation of the last short-prompt request's whole prompt: any newer request supersedes it. */
	private coldBackground: AbortController | undefined;
	/** The background evaluation in progress or waiting, for {@link whenColdBackgroundSettled}. */
	private coldBackgroundDone: Promise<void> = Promise.resolve();

	constructor(private readonly loaded: LoadedModel, private readonly options: CompletionEngineOptions) {
		super();
		this.tokenizer = new CachingTokenizer(loaded.model);
		this.scheduler = options.scheduler ?? new Scheduler();
		this.templates = new TemplateGuard(loaded.model, { modelName: loaded.info.name });
		this.generationThreads = options.generationThreads === undefined ? undefined : { llama: loaded.model.llama, threads: options.generationThreads };
		const model = loaded.model;
		const trained = model.trainContextSize > 0 ? model.trainContextSize : defaultContextSize;
		this.contextOptions = {
			contextSize: Math.min(trained, options.contextSize ?? defaultContextSize),
			fallbackContextSize: Math.min(trained, defaultContextSize),
			threads: options.threads,
			batchSize: options.batchSize ?? defaultBatchSize,
			generationThreads: options.generationThreads,
			idleReleaseMs: options.idleReleaseMs ?? defaultIdleReleaseMs,
			onNotice: options.onNotice,
			onRelease: () => this.tokenizer.clear(),
		};
	}

	/** The client's completion context, created (not yet allocated) on its first use. */
	private contextFor(clientId: string | undefined): LazyContext {
		let context = this.contexts.get(clientId);
		if (!context) {
			const unowned = clientId === undefined ? undefined : this.contexts.get(undefined);
			if (unowned) {
				// The warm-up's context (cache and all) becomes the first client's: one window costs one context.
				this.contexts.delete(undefined);
				context = unowned;
			} else {
				context = new LazyContext(this.loaded, this.contextOptions);
			}
			this.contexts.set(clientId, context);
		}
		return context;
	}

	/** The client left: its context is freed (after the use in progress, which its cancellation stops). */
	async releaseClient(clientId: string): Promise<void> {
		const context = this.contexts.get(clientId);
		this.contexts.delete(clientId);
		await context?.dispose();
	}

	/** How this model completes: `none` when it has neither FIM tokens nor a chat template. */
	get mode(): CompletionMode {
		return 'format' in this.loaded.fim ? 'fim' : this.loaded.info.hasChatTemplate ? 'chat' : 'none';
	}

	/** The FIM format, or a {@link RuntimeError} saying why this model cannot complete natively. */
	get format(): FimFormat {
		if ('reason' in this.loaded.fim) {
			throw noCompletionError(this.loaded.info.name, this.loaded.fim.reason);
		}
		return this.loaded.fim.format;
	}

	/**
	 * Why this model cannot complete under `bora.completion.mode` (the setting forces what it lacks,
	 * or it has neither FIM tokens nor a chat template), with what to do; `undefined` when it can.
	 * Cheap: it reads the model's facts and runs nothing, so it is asked on every keystroke.
	 */
	unavailableError(setting: CompletionModeSetting | undefined): RuntimeError | undefined {
		if (completionModeOf(this.loaded.info, setting) !== 'none') {
			return undefined;
		}
		if ('reason' in this.loaded.fim) {
			return modeUnavailableError(this.loaded.info, setting) ?? noCompletionError(this.loaded.info.name, this.loaded.fim.reason);
		}
		return modeUnavailableError(this.loaded.info, setting);
	}

	/**
	 * Completes at the cursor. `job` is the scheduler job the request already runs as (entered on
	 * its arrival); defaults to one entered now, in `request.lane`.
	 */
	complete(request: CompletionRequest, job?: Job): Promise<CompletionResult> {
		this.ensureNotDisposed();
		const mode = completionModeOf(this.loaded.info, request.mode);
		if (mode === 'chat') {
			return this.run(request, job, (request, use) => this.completeWithChat(request, use));
		}
		const unavailable = mode === 'none' ? this.unavailableError(request.mode) : undefined;
		if (unavailable) {
			throw unavailable;
		}
		const format = this.format;
		const interactive = (request.lane ?? 'interactive') === 'interactive';
		if (interactive) {
			// A request the user waits for supersedes the older one's whole prompt; a prefetch (the
			// suggestion after accepting, which shares that prompt up to the cursor line) goes first and
			// leaves it queued.
			this.coldBackground?.abort();
		}
		return this.run(request, job, async (request, use) => {
			request.signal?.throwIfAborted();
			const sequence = await use.sequence();
			const model = this.loaded.model;
			const maxTokens = request.maxTokens ?? defaultMaxTokens;
			const full = this.promptFor(format, sequence.contextSize, { ...request, maxTokens });
			const { head } = full;
			const short = this.shortPromptFor(format, sequence, full.prompt, { ...request, maxTokens });
			const prompt = short ?? full.prompt;
			// Detokenizing with the prompt as context keeps the first token's leading space on SentencePiece vocabularies.
			const textOf = (tokens: readonly Token[]) => model.detokenize(tokens, false, prompt);
			const ending = endingFor(request);
			const stopTokens = new Set(format.stopTokens);
			const generated = await generateTokens({
				sequence,
				prompt,
				stopTokens,
				maxTokens,
				signal: request.signal,
				onToken: request.onToken,
				shouldStop: tokens => {
					const text = textOf(tokens);
					request.onText?.(text);
					return ending.done(text);
				},
			});
			request.signal?.throwIfAborted();
			const text = ending.finish(textOf(generated.tokens));
			const alternatives = await generateAlternatives({
				sequence,
				prompt,
				stopTokens,
				first: generated.tokens[0],
				count: Math.max(0, (request.candidates ?? 1) - 1),
				// Alternatives stay about as long as the first, so they cost no more than it did.
				maxTokens: Math.min(maxTokens, generated.tokens.length + 8),
				signals: [request.signal, request.alternativesSignal],
				textOf,
				ending: () => endingFor(request),
				distinctFrom: [text],
			});
			request.signal?.throwIfAborted();
			if (short && interactive) {
				this.evaluateInBackground(full.prompt, request.clientId);
			}
			return {
				text,
				alternatives,
				...emptyReasonOf(text, ending),
				stats: {
					promptTokens: prompt.length,
					...(short ? { fullPromptTokens: full.prompt.length } : {}),
					cachedPromptTokens: generated.cachedPromptTokens,
					generatedTokens: generated.tokens.length,
					promptMs: generated.promptMs,
					generationMs: generated.generationMs,
					stopReason: generated.stopReason,
					mode: 'fim',
					extraContextTokens: head.contextTokens,
					extraContextChunks: head.chunks,
					...(use.createdMs === undefined ? {} : { contextCreateMs: use.createdMs }),
				},
			};
		});
	}

	/**
	 * Evaluates the prompt's stable head (BOS and the extra context) into the completion sequence,
	 * generating nothing, so the next request with this context finds it cached. It is speculative
	 * work: it waits for the request in progress, and any request arriving before it is done stops
	 * it at the next batch (a request already pending stops it at once). Does nothing in chat mode or
	 * when the head is cached already.
	 */
	prefill(request: PrefillRequest, signal?: AbortSignal): Promise<PrefillResult> {
		this.ensureNotDisposed();
		if (this.mode !== 'fim') {
			return Promise.resolve({ cachedTokens: 0, evaluatedTokens: 0, aborted: false });
		}
		const format = this.format;
		return this.scheduler.run({ lane: 'speculative', clientId: request.clientId, signal }, job => this.contextFor(request.clientId).use(job, async use => {
			const stop = AbortSignal.any([job.signal, this.disposeSignal]);
			if (stop.aborted) {
				return { cachedTokens: 0, evaluatedTokens: 0, aborted: true };
			}
			const sequence = await use.sequence();
			const { prefix, suffix } = request;
			const tokens = prefix === undefined || suffix === undefined
				? this.headFor(format, sequence.contextSize, request).tokens
				: this.promptFor(format, sequence.contextSize, { ...request, prefix, suffix, maxTokens: defaultMaxTokens }).prompt;
			return prefillSequence({ sequence, tokens, signal: stop, job, generationThreads: this.generationThreads });
		}));
	}

	/**
	 * Creates the context and evaluates BOS as `background` work, so the first request after a load
	 * pays neither for the KV cache nor for the first evaluation (which pages the weights in); a
	 * request or prefill arriving meanwhile waits for this one context, never creates a second. It
	 * creates the context even when other work arrived first (that work, queued behind it, needs the
	 * context as much), but any other work stops the evaluation. Resolves `false` when that
	 * happened or the engine went first.
	 */
	warmUp(): Promise<boolean> {
		this.ensureNotDisposed();
		return this.scheduler.run({ lane: 'background' }, job => this.contextFor(undefined).use(job, async use => {
			const stop = AbortSignal.any([job.signal, this.disposeSignal]);
			if (this.disposeSignal.aborted) {
				return false;
			}
			const sequence = await use.sequence();
			if (this.mode !== 'fim' || stop.aborted) {
				return !stop.aborted;
			}
			const { tokens } = this.headFor(this.format, sequence.contextSize, {});
			return !(await prefillSequence({ sequence, tokens, signal: stop, job, generationThreads: this.generationThreads })).aborted;
		})).catch((error: unknown) => {
			if (this.isDisposed) {
				return false;
			}
			throw error;
		});
	}

	/** Every creation of the completion context so far, with the lane of the work that paid for it. */
	get contextCreations(): readonly ContextCreation[] {
		return [...this.contexts.values()].flatMap(context => context.creations);
	}

	/** Resolves once the whole prompt of the last request answered from a short one is evaluated, or that was given up (tests wait on it, not on time). */
	whenColdBackgroundSettled(): Promise<void> {
		return this.coldBackgroundDone;
	}

	/**
	 * The short prompt a request is answered from, or `undefined` for the whole one. The short one
	 * when it costs less and either the whole one would evaluate more than `coldPromptTokens` (a
	 * cold request) or the short one costs a quarter of it or less (a keystroke right after a cold
	 * request, before the whole prompt was evaluated in the background: it stays a prefix hit on
	 * the short prompt rather than paying for the rest of the context on the keystroke's path).
	 */
	private shortPromptFor(format: FimFormat, sequence: LlamaContextSequence, full: readonly Token[], request: PrefillRequest & Pick<CompletionRequest, 'prefix' | 'suffix'> & { readonly maxTokens: number }): Token[] | undefined {
		const limit = this.options.coldPromptTokens ?? defaultColdPromptTokens;
		const uncached = (tokens: readonly Token[]) => tokens.length - sequence.compareContextTokens([...tokens]).firstDifferentIndex;
		const fullCost = uncached(full);
		// Typing on a warm prompt costs a few tokens: nothing to save, and no short prompt to build.
		if (limit <= 0 || fullCost <= minimumSavingTokens) {
			return undefined;
		}
		const short = this.promptFor(format, sequence.contextSize, request, limit).prompt;
		if (short.length >= full.length) {
			return undefined;
		}
		const shortCost = uncached(short);
		return shortCost < fullCost && (fullCost > limit || shortCost * 4 <= fullCost) ? short : undefined;
	}

	/**
	 * Evaluates a request's whole prompt after it was answered from a short one, as `speculative`
	 * work once the scheduler is quiet, so the next keystroke there finds the full context cached up
	 * to its cursor line. Any newer request or disposal gives it up; it only ever fills the KV
	 * cache, never produces a suggestion, so a document changed meanwhile costs nothing but the work.
	 */
	private evaluateInBackground(tokens: readonly Token[], clientId: string | undefined): void {
		this.coldBackground?.abort();
		const stop = new AbortController();
		this.coldBackground = stop;
		const signal = AbortSignal.any([stop.signal, this.disposeSignal]);
		const quietMs = this.options.coldBackgroundQuietMs ?? defaultColdBackgroundQuietMs;
		this.coldBackgroundDone = this.scheduler.runWhenQuiet({ lane: 'speculative', clientId, quietMs, signal }, job => this.contextFor(clientId).use(job, async use => {
			const stopped = AbortSignal.any([job.signal, signal]);
			if (stopped.aborted) {
				return;
			}
			const sequence = await use.sequence();
			await prefillSequence({ sequence, tokens, signal: stopped, job, generationThreads: this.generationThreads });
		})).catch(() => {
			// Given up (a request came, the engine went) or failed: the next request evaluates what it needs itself.
		}).finally(() => {
			if (this.coldBackground === stop) {
				this.coldBackground = undefined;
			}
		});
	}

	/**
	 * A request's prompt (and its head) for a context of `contextSize`; prefills build the same one.
	 * With `maxBodyTokens`, the short prompt of a cold request (see `coldPromptTokens`).
	 */
	private promptFor(format: FimFormat, contextSize: number, request: PrefillRequest & Pick<CompletionRequest, 'prefix' | 'suffix'> & { readonly maxTokens: number }, maxBodyTokens?: number): { head: FimHead; prompt: Token[] } {
		const head = this.headFor(format, contextSize, request);
		const prompt = buildFimPrompt(format, this.tokenizer, {
			prefix: request.prefix,
			suffix: request.suffix,
			maxTextTokens: Math.max(16, contextSize - request.maxTokens - 8 - head.tokens.length),
			volatileSuffixTokens: this.options.volatileSuffixTokens ?? defaultVolatileSuffixTokens,
			cursorLineApart: true,
			// Cut the prefix in large steps so an over-long file does not move the prompt's start on every keystroke.
			trimStep: 256,
			...(maxBodyTokens === undefined ? {} : { maxBodyTokens }),
			fileName: request.fileName,
			head,
		});
		return { head, prompt };
	}

	/** The same head for a prefill and a request with the same context; extra context may take half the KV cache. */
	private headFor(format: FimFormat, contextSize: number, request: PrefillRequest): FimHead {
		return buildFimHead(format, this.loaded.model, {
			extraContext: request.extraContext,
			repoName: request.repoName,
			maxTokens: Math.floor(contextSize / 2),
			chunkTokens: this.chunkTokens,
		});
	}

	/**
	 * Runs a request's work on the context as its scheduler job, with a signal that also stops it
	 * when the job is pre-empted (a prefetch, for a real request) or the engine is disposed.
	 */
	private run(request: CompletionRequest, job: Job | undefined, work: (request: CompletionRequest, use: ContextUse) => Promise<CompletionResult>): Promise<CompletionResult> {
		const scheduled = (job: Job) => this.contextFor(request.clientId).use(job, use => work({ ...request, signal: AbortSignal.any([job.signal, this.disposeSignal]) }, use));
		return job ? scheduled(job) : this.scheduler.run({ lane: request.lane ?? 'interactive', clientId: request.clientId, signal: request.signal }, scheduled);
	}

	private async completeWithChat(request: CompletionRequest, use: ContextUse): Promise<CompletionResult> {
		request.signal?.throwIfAborted();
		const wrapper = await this.getChatWrapper();
		const sequence = await use.sequence();
		const ending = endingFor(request);
		const { text, ...stats } = await completeWithChatModel({
			sequence,
			wrapper,
			prefix: request.prefix,
			suffix: request.suffix,
			fileName: request.fileName ?? 'file',
			maxTokens: request.maxTokens ?? defaultMaxTokens,
			signal: request.signal,
			onToken: request.onToken,
			ending,
		});
		request.signal?.throwIfAborted();
		return {
			text, alternatives: [], ...emptyReasonOf(text, ending),
			stats: { ...stats, mode: 'chat', extraContextTokens: 0, extraContextChunks: 0, ...(use.createdMs === undefined ? {} : { contextCreateMs: use.createdMs }) },
		};
	}

	/** The model's own chat template with reasoning off (Mistral Small 4: `reasoning_effort` "none"). */
	private getChatWrapper(): Promise<GuardedChatWrapper> {
		if (!this.chatWrapper) {
			const plan = planReasoning({ support: this.loaded.info.reasoning, effort: 'off', contextSize: this.options.contextSize ?? defaultContextSize });
			this.chatWrapper = this.templates.resolve(plan.wrapperKey, plan.wrapperSettings).catch((error: unknown) => {
				this.chatWrapper = undefined;
				// A template that broke its bound says so; any other failure means no chat-model completion.
				if (error instanceof RuntimeError && error.code === 'unsafeChatTemplate') {
					throw new RuntimeError({ code: 'noFimSupport', message: `${this.loaded.info.name} has no fill-in-the-middle tokens, and ${lowerFirst(error.message)}`, action: 'Choose a code model with fill-in-the-middle support, such as Qwen2.5-Coder, for completion.' }, { cause: error });
				}
				throw RuntimeError.from(error, {
					code: 'noFimSupport',
					message: `${this.loaded.info.name} has no fill-in-the-middle tokens and its chat template cannot be used for completion`,
					action: 'Choose a code model with fill-in-the-middle support, such as Qwen2.5-Coder, for completion.',
				});
			});
		}
		return this.chatWrapper;
	}

	/** Whether the completion KV cache is allocated right now. */
	get holdsContext(): boolean {
		return [...this.contexts.values()].some(context => context.holdsContext);
	}

	protected async onDispose(): Promise<void> {
		this.coldBackground?.abort();
		// The request in progress stops at its next token (the dispose signal); then the context goes.
		await Promise.all([...this.contexts.values()].map(context => context.dispose()));
		await this.templates.dispose();
	}
}

/** Tells the caller why a suggestion came out empty, rather than handing it an empty string to guess about. */
function emptyReasonOf(text: string, ending: { readonly emptyReason: EmptyReason | undefined }): { emptyReason?: EmptyReason } {
	return text === '' ? { emptyReason: ending.emptyReason ?? 'empty' } : {};
}

/** A model with neither FIM tokens nor a chat template. */
function noCompletionError(name: string, noFimReason: string): RuntimeError {
	return new RuntimeError({
		code: 'noFimSupport',
		message: `${name} cannot do inline completion. ${noFimReason} It has no chat template either, so it cannot be asked as an instruct model.`,
		action: 'Choose a code model with fill-in-the-middle support, such as Qwen2.5-Coder, or an instruct model with a chat template, for completion.',
	});
}

function lowerFirst(text: string): string {
	return text.charAt(0).toLowerCase() + text.slice(1);
}
