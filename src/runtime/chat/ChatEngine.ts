import { LlamaChat, type ChatHistoryItem, type LlamaChatResponseChunk, type LlamaContextSequence } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { DisposableBase } from '../lifecycle/DisposableBase';
import { LazyContext } from '../lifecycle/LazyContext';
import type { LoadedModel } from '../loading/loadModel';
import { planReasoning, type ReasoningPlan, type ThoughtBudgets } from '../reasoning/planReasoning';
import { Scheduler } from '../scheduler/Scheduler';
import type { ChatAnswer, ChatTurn, ReasoningEffort, ReasoningSupport } from '../../shared/types';
import { emptyAnswerNotice } from './emptyAnswerNotice';
import { TemplateGuard, type TemplateGuardOptions } from './templateGuard/TemplateGuard';
import type { GuardedChatWrapper } from './templateGuard/GuardedChatWrapper';
import { toChatHistory } from './toChatHistory';

export interface ChatEngineOptions {
	/** Evaluation threads for the chat context. */
	readonly threads: number;
	/** Threads while generating, after the prompt (see `generationThreadsFor`). Defaults to `threads`. */
	readonly generationThreads?: number;
	/** Tokens of KV cache for chat. Defaults to the model's trained context, at most `8192`. */
	readonly contextSize?: number;
	/** Told when the context had to be smaller than asked for lack of memory. Defaults to nothing. */
	readonly onNotice?: (notice: string) => void;
	/**
	 * Answers run in its `chat` lane, so they pause between tokens while completion work (interactive
	 * or speculative) is active. Defaults to a scheduler of the engine's own.
	 */
	readonly scheduler?: Scheduler;
	/** Thought budgets per effort. Defaults to `defaultThoughtBudgets` (512 / 2048 / most of the context). */
	readonly thoughtBudgets?: ThoughtBudgets;
	/** Written as the system message of every chat; empty for none. Defaults to {@link defaultChatSystemPrompt}. */
	readonly systemPrompt?: string;
	/**
	 * After this long without an answer the chat KV cache is freed; the next answer creates it again
	 * and re-reads the client-held history. Defaults to `300_000` (5 minutes).
	 */
	readonly idleReleaseMs?: number;
	/** Bounds on the chat template's renders (see {@link TemplateGuard}). Defaults to the guard's. */
	readonly templateLimits?: Omit<TemplateGuardOptions, 'modelName'>;
}

/** What to render or answer: the client-held history plus the new message. */
export interface ChatPromptInput {
	/** Earlier turns, oldest first. */
	readonly history: readonly ChatTurn[];
	readonly message: string;
	readonly effort: ReasoningEffort;
}

export interface ChatEngineRequest extends ChatPromptInput {
	/** Generated tokens at most (thought and answer together). Defaults to the chat context size. */
	readonly maxTokens?: number;
	/** Stops generation before the next token; the request then rejects with the signal's reason. */
	readonly signal?: AbortSignal;
	/** Receives the answer as it is written, thought and answer text separately, in order. */
	readonly onChunk?: (chunk: ChatEngineChunk) => void;
	/** The client (window) asking, for the scheduler. Defaults to none. */
	readonly clientId?: string;
}

export interface ChatEngineChunk {
	readonly kind: 'thought' | 'answer';
	readonly text: string;
	/** Thought tokens so far. */
	readonly thoughtTokens: number;
	/** The thought budget that applies; absent when unbounded. */
	readonly thoughtBudget?: number;
}

/** One chat answer, as `bora/chat` also returns it. */
export type ChatEngineResult = ChatAnswer;

export const defaultChatSystemPrompt = 'You are Bora, a coding assistant that runs locally inside VS Code. Answer concisely and put code in fenced code blocks.';

const defaultContextSize = 8192;
const defaultIdleReleaseMs = 5 * 60_000;

/**
 * Chat on one loaded model, on its own context sequence (never the completion one), rendered by the
 * model's own chat template through node-llama-cpp's `resolveChatWrapper`. One answer at a time;
 * consecutive turns reuse the KV cache of the shared prefix. The template is code from the model
 * file: it is resolved and rendered in a worker under a time and size bound ({@link TemplateGuard}),
 * never on the runtime's event loop, and each turn's prompt is rendered once, before generation.
 */
export class ChatEngine extends DisposableBase {
	private readonly wrappers = new Map<string, Promise<GuardedChatWrapper>>();
	private readonly templates: TemplateGuard;
	/** The chat KV cache. The client sends the whole history with every request, so freeing it when idle costs only a re-read of the prompt. */
	private readonly context: LazyContext;
	private readonly scheduler: Scheduler;

	constructor(private readonly loaded: LoadedModel, private readonly options: ChatEngineOptions) {
		super();
		this.scheduler = options.scheduler ?? new Scheduler();
		this.templates = new TemplateGuard(loaded.model, { ...options.templateLimits, modelName: loaded.info.name });
		const trained = loaded.model.trainContextSize > 0 ? loaded.model.trainContextSize : defaultContextSize;
		this.context = new LazyContext(loaded, {
			contextSize: Math.min(trained, options.contextSize ?? defaultContextSize),
			fallbackContextSize: defaultContextSize,
			threads: options.threads,
			generationThreads: options.generationThreads,
			idleReleaseMs: options.idleReleaseMs ?? defaultIdleReleaseMs,
			onNotice: options.onNotice,
		});
	}

	/** Whether the chat KV cache is allocated right now. */
	get holdsContext(): boolean {
		return this.context.holdsContext;
	}

	/** Renders of the chat template the main thread waited for (see `TemplateGuardOptions.syncWaitMs`). */
	get synchronousTemplateRenders(): number {
		return this.templates.synchronousRenders;
	}

	/** The chat context size that will be (or is) used. */
	get contextSize(): number {
		return this.context.contextSize;
	}

	/** The exact prompt text (special tokens written out) the model sees for this input. */
	renderPrompt(input: ChatPromptInput): Promise<string> {
		// Throws at once when disposed, as every engine method does; the render itself is asynchronous.
		this.ensureNotDisposed();
		return this.renderPromptOf(input);
	}

	chat(request: ChatEngineRequest): Promise<ChatEngineResult> {
		this.ensureNotDisposed();
		return this.answer(request);
	}

	private async renderPromptOf(input: ChatPromptInput): Promise<string> {
		const plan = this.plan(input.effort);
		const wrapper = await this.wrapperFor(plan);
		const { contextText } = await wrapper.render({ chatHistory: this.historyOf(input) });
		const model = this.loaded.model;
		return model.detokenize(contextText.tokenize(model.tokenizer), true);
	}

	private async answer(request: ChatEngineRequest): Promise<ChatEngineResult> {
		const plan = this.plan(request.effort);
		const wrapper = await this.wrapperFor(plan);
		// Disposing (a model switch) ends the answer in progress, paused or not, before the model goes away.
		const signal = request.signal ? AbortSignal.any([request.signal, this.disposeSignal]) : this.disposeSignal;
		return this.scheduler.run({ lane: 'chat', clientId: request.clientId, signal }, job => this.context.use(job, async use => {
			request.signal?.throwIfAborted();
			const sequence = await use.sequence();
			try {
				return await generateAnswer({ sequence, wrapper, plan, history: this.historyOf(request), request: { ...request, signal: job.signal }, maxTokens: request.maxTokens ?? this.contextSize, support: this.loaded.info.reasoning });
			} catch (error) {
				if (this.disposeSignal.aborted && !request.signal?.aborted) {
					throw new RuntimeError({ code: 'internal', message: 'The chat model was changed or unloaded while answering.', action: 'Ask again: the new model will answer.' }, { cause: error });
				}
				throw error;
			}
		}));
	}

	protected async onDispose(): Promise<void> {
		// Waits for the aborted answer to leave the sequence before freeing it.
		await this.context.dispose();
		await this.templates.dispose();
	}

	private plan(effort: ReasoningEffort): ReasoningPlan {
		return planReasoning({ support: this.loaded.info.reasoning, effort, budgets: this.options.thoughtBudgets, contextSize: this.contextSize });
	}

	private historyOf(input: ChatPromptInput): ChatHistoryItem[] {
		return toChatHistory({ systemPrompt: this.options.systemPrompt ?? defaultChatSystemPrompt, history: input.history, message: input.message });
	}

	private wrapperFor(plan: ReasoningPlan): Promise<GuardedChatWrapper> {
		const info = this.loaded.info;
		if (!info.hasChatTemplate) {
			throw new RuntimeError({
				code: 'noChatTemplate',
				message: `${info.name} cannot chat: its GGUF file has no chat template (tokenizer.chat_template), so Bora does not know how to write its prompts.`,
				action: 'Choose an instruct or chat model for chat (bora.chat.modelPath), for example a GGUF converted with its chat template.',
			});
		}
		let wrapper = this.wrappers.get(plan.wrapperKey);
		if (!wrapper) {
			// Never a hand-written format: the model's own template, or the specialised wrapper node-llama-cpp found equivalent to it.
			wrapper = this.templates.resolve(plan.wrapperKey, plan.wrapperSettings).catch((error: unknown) => {
				this.wrappers.delete(plan.wrapperKey);
				throw RuntimeError.from(error, {
					code: 'noChatTemplate',
					message: `The chat template of ${info.name} cannot be used`,
					action: 'Choose another chat model (bora.chat.modelPath); see the runtime log for details.',
				});
			});
			this.wrappers.set(plan.wrapperKey, wrapper);
		}
		return wrapper;
	}
}

interface GenerateAnswerInput {
	readonly sequence: LlamaContextSequence;
	readonly wrapper: GuardedChatWrapper;
	readonly plan: ReasoningPlan;
	readonly history: ChatHistoryItem[];
	readonly request: ChatEngineRequest;
	readonly maxTokens: number;
	readonly support: ReasoningSupport;
}

async function generateAnswer({ sequence, wrapper, plan, history, request, maxTokens, support }: GenerateAnswerInput): Promise<ChatEngineResult> {
	const { signal, onChunk } = request;
	const budget = plan.thoughtBudget;
	let thought = '';
	let answer = '';
	let thoughtTokens = 0;
	let thoughtStarted = false;
	let generated = 0;
	const onResponseChunk = (chunk: LlamaChatResponseChunk) => {
		// Nothing reaches the client after Stop, even text node-llama-cpp had already decoded.
		if (signal?.aborted) {
			return;
		}
		generated += chunk.tokens.length;
		if (chunk.type === 'segment') {
			if (chunk.segmentType !== 'thought') {
				return;
			}
			thoughtStarted = true;
			thoughtTokens += chunk.tokens.length;
			thought += chunk.text;
		} else {
			answer += chunk.text;
		}
		if (chunk.text.length > 0) {
			safeCall(onChunk, { kind: chunk.type === 'segment' ? 'thought' : 'answer', text: chunk.text, thoughtTokens, thoughtBudget: budget });
		}
	};

	const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: wrapper, autoDisposeSequence: false });
	try {
		const generate = async (items: ChatHistoryItem[]) => {
			// Rendered in the template worker now, so LlamaChat's own (synchronous) render finds it ready.
			await wrapper.render({ chatHistory: items });
			return chat.generateResponse(items, {
				signal,
				maxTokens: Math.max(1, maxTokens - generated),
				budgets: { thoughtTokens: budget ?? Infinity },
				onResponseChunk,
			});
		};
		let response = await generate(history);
		if (answer.trim() === '' && thoughtStarted && response.metadata.stopReason === 'eogToken') {
			// A reply is never thinking-only: continue once after the closed thought so the model answers.
			response = await generate(response.lastEvaluation.cleanHistory);
		}
		signal?.throwIfAborted();
		const budgetExhausted = budget !== undefined && thoughtStarted && thoughtTokens >= budget;
		const empty = answer.trim() === ''
			? emptyAnswerNotice({ effort: request.effort, support, thoughtStarted, budgetExhausted })
			: undefined;
		return {
			answer,
			thought,
			thoughtTokens,
			thoughtBudget: budget,
			budgetExhausted,
			notice: [empty, plan.notice].filter(Boolean).join(' ') || undefined,
		};
	} finally {
		chat.dispose({ disposeSequence: false });
	}
}

function safeCall<T>(callback: ((value: T) => void) | undefined, value: T): void {
	try {
		callback?.(value);
	} catch {
		// A failing listener must not break generation.
	}
}
