import type { LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { buildFimPrompt, type FimContextChunk, type FimPromptInput } from '../fim/buildFimPrompt';
import type { FimFormat } from '../fim/FimFormat';
import type { LoadedModel } from '../model/loadModel';
import { SerialQueue } from '../util/SerialQueue';
import { generateTokens, type StopReason } from './generateTokens';

export interface CompletionEngineOptions {
	/** Evaluation threads for the completion context. */
	readonly threads: number;
	/** Tokens of KV cache for completion. Defaults to the model's trained context, at most `4096`. */
	readonly contextSize?: number;
	/**
	 * After this long without a request the KV cache is freed; the next request creates it again.
	 * Defaults to `300_000` (5 minutes).
	 */
	readonly idleReleaseMs?: number;
	/**
	 * Suffix tokens kept between the FIM suffix and middle markers in prefix-suffix-middle formats; the
	 * rest of the suffix goes in front of the prefix, so typing re-evaluates only these. See
	 * {@link FimPromptInput.volatileSuffixTokens}. Defaults to `32`.
	 */
	readonly volatileSuffixTokens?: number;
}

export interface CompletionRequest {
	/** Text before the cursor. */
	readonly prefix: string;
	/** Text after the cursor. */
	readonly suffix: string;
	/** Defaults to `128`. */
	readonly maxTokens?: number;
	/** The document's path relative to the workspace, for repo-level prompts. Defaults to `'file'`. */
	readonly fileName?: string;
	/** Extra context laid out before the file, most stable first. Defaults to none. */
	readonly extraContext?: readonly FimContextChunk[];
	readonly signal?: AbortSignal;
	readonly onToken?: (token: Token) => void;
}

export interface CompletionStats {
	readonly promptTokens: number;
	readonly cachedPromptTokens: number;
	readonly generatedTokens: number;
	readonly promptMs: number;
	readonly generationMs: number;
	readonly stopReason: StopReason;
}

export interface CompletionResult {
	readonly text: string;
	readonly stats: CompletionStats;
}

const defaultContextSize = 4096;
const defaultMaxTokens = 128;
const defaultIdleReleaseMs = 5 * 60_000;
const defaultVolatileSuffixTokens = 32;

/** A rough token count for extra context (≈3 characters a token for code), reserved before the file text. */
function extraContextBudget(chunks: readonly FimContextChunk[] | undefined): number {
	return Math.ceil((chunks ?? []).reduce((sum, chunk) => sum + chunk.name.length + chunk.text.length + 2, 0) / 3);
}

/**
 * Native fill-in-the-middle on one loaded model. It owns one context sequence for completion, so
 * consecutive requests reuse each other's KV cache, and it runs one request at a time.
 */
export class CompletionEngine implements AsyncDisposable {
	private readonly queue = new SerialQueue();
	private context: Promise<{ context: LlamaContext; sequence: LlamaContextSequence }> | undefined;
	private idleTimer: NodeJS.Timeout | undefined;
	private disposed = false;

	constructor(private readonly loaded: LoadedModel, private readonly options: CompletionEngineOptions) { }

	/** The FIM format, or a {@link RuntimeError} saying why this model cannot complete. */
	get format(): FimFormat {
		if ('reason' in this.loaded.fim) {
			throw new RuntimeError({
				code: 'noFimSupport',
				message: `${this.loaded.info.name} cannot do inline completion. ${this.loaded.fim.reason}`,
				action: 'Choose a code model with fill-in-the-middle support, such as Qwen2.5-Coder, for completion.',
			});
		}
		return this.loaded.fim.format;
	}

	complete(request: CompletionRequest): Promise<CompletionResult> {
		this.ensureNotDisposed();
		const format = this.format;
		clearTimeout(this.idleTimer);
		const result = this.queue.run(async () => {
			request.signal?.throwIfAborted();
			const { sequence } = await this.getContext();
			const model = this.loaded.model;
			const maxTokens = request.maxTokens ?? defaultMaxTokens;
			const prompt = buildFimPrompt(format, model, {
				prefix: request.prefix,
				suffix: request.suffix,
				maxTextTokens: Math.max(16, sequence.contextSize - maxTokens - 8 - extraContextBudget(request.extraContext)),
				volatileSuffixTokens: this.options.volatileSuffixTokens ?? defaultVolatileSuffixTokens,
				// Cut the prefix in large steps so an over-long file does not move the prompt's start on every keystroke.
				trimStep: 256,
				fileName: request.fileName,
				extraContext: request.extraContext,
			});
			const generated = await generateTokens({
				sequence,
				prompt,
				stopTokens: new Set(format.stopTokens),
				maxTokens,
				signal: request.signal,
				onToken: request.onToken,
			});
			request.signal?.throwIfAborted();
			return {
				// Detokenizing with the prompt as context keeps the first token's leading space on SentencePiece vocabularies.
				text: model.detokenize(generated.tokens, false, prompt),
				stats: {
					promptTokens: prompt.length,
					cachedPromptTokens: generated.cachedPromptTokens,
					generatedTokens: generated.tokens.length,
					promptMs: generated.promptMs,
					generationMs: generated.generationMs,
					stopReason: generated.stopReason,
				},
			};
		});
		void result.finally(() => this.scheduleIdleRelease()).catch(() => undefined);
		return result;
	}

	/** Whether the completion KV cache is allocated right now. */
	get holdsContext(): boolean {
		return this.context !== undefined;
	}

	async dispose(): Promise<void> {
		if (this.disposed) {
			return;
		}
		this.disposed = true;
		clearTimeout(this.idleTimer);
		await this.releaseContext();
	}

	[Symbol.asyncDispose](): Promise<void> {
		return this.dispose();
	}

	private getContext() {
		// Created on first use, not at load, so a model loaded only for inspection costs no KV memory.
		this.context ??= (async () => {
			const model = this.loaded.model;
			const trained = model.trainContextSize > 0 ? model.trainContextSize : defaultContextSize;
			const context = await model.createContext({
				contextSize: Math.min(trained, this.options.contextSize ?? defaultContextSize),
				sequences: 1,
				threads: this.options.threads,
			});
			return { context, sequence: context.getSequence() };
		})();
		this.context.catch(() => { this.context = undefined; });
		return this.context;
	}

	private scheduleIdleRelease(): void {
		clearTimeout(this.idleTimer);
		if (this.disposed) {
			return;
		}
		// Memory is the user's: an editor left alone should not hold a KV cache it is not using.
		this.idleTimer = setTimeout(() => void this.queue.run(() => this.releaseContext()), this.options.idleReleaseMs ?? defaultIdleReleaseMs);
		this.idleTimer.unref();
	}

	private async releaseContext(): Promise<void> {
		const context = this.context;
		this.context = undefined;
		await context?.then(({ context }) => context.dispose(), () => undefined);
	}

	private ensureNotDisposed(): void {
		if (this.disposed) {
			throw new RuntimeError({ code: 'internal', message: 'The completion engine was disposed', action: 'Restart the runtime.' });
		}
	}
}
