import type { CompletionMode } from '../../shared/types';
import type { DraftTokenCounts, StopReason } from './generateTokens';

/** What one completion generation cost, for the log, the status tooltip and the bench. */
export interface CompletionStats {
	readonly promptTokens: number;
	/**
	 * Present when a cold request was answered from a short prompt (`promptTokens`, see
	 * `coldPromptTokens`): the whole prompt's tokens, evaluated in the background after it.
	 */
	readonly fullPromptTokens?: number;
	readonly cachedPromptTokens: number;
	readonly generatedTokens: number;
	readonly promptMs: number;
	readonly generationMs: number;
	readonly stopReason: StopReason;
	/** Native fill-in-the-middle, or an instruct model asked through its chat template. */
	readonly mode: Exclude<CompletionMode, 'none'>;
	/** Prompt tokens of extra context, laid out first; 0 without (and in chat mode, which has none). */
	readonly extraContextTokens: number;
	/** Extra context chunks in the prompt: the newest that fit half the context. */
	readonly extraContextChunks: number;
	/** The draft model's guesses in this generation (`bora.completion.draftModelPath`); absent without one. */
	readonly draftTokens?: DraftTokenCounts;
	/** Ms this request waited for the completion context to be created; absent when it existed already (the usual case). */
	readonly contextCreateMs?: number;
}
