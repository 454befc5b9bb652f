import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { Job } from '../scheduler/Job';
import type { GenerationThreads } from '../util/generationThreads';

export interface PrefillOptions {
	readonly sequence: LlamaContextSequence;
	/** The tokens the sequence should start with. */
	readonly tokens: readonly Token[];
	/** Checked between batches: evaluation stops at the next batch boundary once it is aborted. */
	readonly signal?: AbortSignal;
	/** The scheduler job it runs as: each batch is in its prompt phase. Defaults to none. */
	readonly job?: Job;
	/** With `job`, a batch gets every thread (see `ThreadPhases`). Defaults to the context's threads. */
	readonly generationThreads?: GenerationThreads;
}

export interface PrefillResult {
	/** Tokens the sequence already held. */
	readonly cachedTokens: number;
	/** Tokens evaluated now. */
	readonly evaluatedTokens: number;
	/** Stopped by the signal before all tokens were in. */
	readonly aborted: boolean;
}

/**
 * Evaluates `tokens` into the sequence without generating anything, so a later prompt that starts
 * with them finds them cached. A sequence that already starts with them is left alone, whatever
 * follows (the last request's file text may still be useful). Otherwise the state is cut back to
 * the common beginning, never shifted, as MLA models require, and the rest is evaluated one
 * batch at a time so an urgent request waits at most one batch.
 */
export async function prefillSequence({ sequence, tokens, signal, job, generationThreads }: PrefillOptions): Promise<PrefillResult> {
	const common = sequence.compareContextTokens([...tokens]).firstDifferentIndex;
	if (common >= tokens.length) {
		return { cachedTokens: tokens.length, evaluatedTokens: 0, aborted: false };
	}
	await sequence.adaptStateToTokens([...tokens], false);
	const cachedTokens = sequence.nextTokenIndex;
	const batch = Math.max(1, sequence.context.batchSize);
	let next = cachedTokens;
	while (next < tokens.length) {
		if (signal?.aborted) {
			return { cachedTokens, evaluatedTokens: next - cachedTokens, aborted: true };
		}
		const slice = tokens.slice(next, next + batch);
		const endPhase = job?.enterPhase('prompt', generationThreads);
		try {
			await sequence.evaluateWithoutGeneratingNewTokens([...slice]);
		} finally {
			endPhase?.();
		}
		next += slice.length;
	}
	return { cachedTokens, evaluatedTokens: next - cachedTokens, aborted: false };
}
