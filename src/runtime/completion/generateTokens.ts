import type { LlamaContextSequence, Token } from 'node-llama-cpp';

export interface GenerateTokensOptions {
	readonly sequence: LlamaContextSequence;
	readonly prompt: readonly Token[];
	/** Tokens that end generation in addition to the model's end-of-generation tokens. */
	readonly stopTokens: ReadonlySet<Token>;
	readonly maxTokens: number;
	/** Checked after every token, so an abort stops generation within one token. */
	readonly signal?: AbortSignal;
	/** Called with each kept token; used for streaming and by tests that abort mid-generation. */
	readonly onToken?: (token: Token) => void;
	/** Checked after every kept token (which stays in `tokens`); `true` ends generation with `stopText`. Defaults to never. */
	readonly shouldStop?: (tokens: readonly Token[]) => boolean;
}

export type StopReason = 'endOfGeneration' | 'stopToken' | 'stopText' | 'maxTokens' | 'aborted';

export interface GeneratedTokens {
	readonly tokens: Token[];
	readonly stopReason: StopReason;
	/** Prompt tokens whose KV state was already in the sequence. */
	readonly cachedPromptTokens: number;
	readonly promptMs: number;
	readonly generationMs: number;
	/** Guesses of the sequence's draft model the model confirmed and refuted; absent without one. */
	readonly draftTokens?: DraftTokenCounts;
}

export interface DraftTokenCounts {
	readonly validated: number;
	readonly refuted: number;
}

/**
 * Greedy generation on a sequence that keeps its KV cache between calls: only the part of the prompt
 * after the longest common prefix with the sequence's state is evaluated.
 */
export async function generateTokens({ sequence, prompt, stopTokens, maxTokens, signal, onToken, shouldStop }: GenerateTokensOptions): Promise<GeneratedTokens> {
	const started = performance.now();
	// At least one token must be evaluated to get logits for the next one, so the last prompt token
	// is always re-evaluated even when the whole prompt is cached.
	await sequence.adaptStateToTokens(prompt.slice(0, -1), false);
	const cachedPromptTokens = sequence.nextTokenIndex;
	const model = sequence.model;
	const budget = Math.min(maxTokens, sequence.contextSize - prompt.length - 1);

	const tokens: Token[] = [];
	let stopReason: StopReason = 'endOfGeneration';
	let firstTokenAt: number | undefined;
	if (signal?.aborted || budget <= 0) {
		return { tokens, stopReason: signal?.aborted ? 'aborted' : 'maxTokens', cachedPromptTokens, promptMs: 0, generationMs: 0 };
	}
	const input = prompt.slice(cachedPromptTokens);
	const draftBefore = sequence.tokenPredictor ? sequence.tokenPredictions : undefined;
	// A scheduled sequence (see `scheduleEvaluations`) pauses between these tokens and sets their thread phases.
	for await (const token of sequence.evaluate(input, { temperature: 0, yieldEogToken: true })) {
		firstTokenAt ??= performance.now();
		if (model.isEogToken(token)) {
			stopReason = 'endOfGeneration';
			break;
		}
		if (stopTokens.has(token)) {
			stopReason = 'stopToken';
			break;
		}
		tokens.push(token);
		onToken?.(token);
		if (signal?.aborted) {
			stopReason = 'aborted';
			break;
		}
		if (shouldStop?.(tokens)) {
			stopReason = 'stopText';
			break;
		}
		if (tokens.length >= budget) {
			stopReason = 'maxTokens';
			break;
		}
	}
	const finished = performance.now();
	firstTokenAt ??= finished;
	const draftAfter = draftBefore && sequence.tokenPredictions;
	const draftTokens = draftBefore && draftAfter ? { validated: draftAfter.validated - draftBefore.validated, refuted: draftAfter.refuted - draftBefore.refuted } : undefined;
	return { tokens, stopReason, cachedPromptTokens, promptMs: firstTokenAt - started, generationMs: finished - firstTokenAt, ...(draftTokens ? { draftTokens } : {}) };
}
