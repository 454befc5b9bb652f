import type { LlamaModel, Token } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { contextFlashAttention } from '../loading/contextFlashAttention';
import type { Job } from '../scheduler/Job';
import { scheduledEvaluation } from '../scheduler/scheduledEvaluation';
import { ThreadPhases } from '../scheduler/ThreadPhases';
import type { SuggestionSpeeds } from './forecastSuggestion';

export interface MeasureSpeedOptions {
	/** Evaluation threads, as completion uses. */
	readonly threads: number;
	/** Threads while generating, as completion uses. Defaults to `threads`. */
	readonly generationThreads?: number;
	/** Prompt tokens to evaluate. Defaults to `256`. */
	readonly promptTokens?: number;
	/** Tokens to generate after the prompt. Defaults to `16`. */
	readonly generatedTokens?: number;
	/** Cancels the measurement (reload, shutdown). */
	readonly signal?: AbortSignal;
	/**
	 * The scheduler job it runs as, in the `background` lane: any request that arrives stops the
	 * measurement between chunks with the job's `PreemptedError` (its numbers would be wrong anyway),
	 * so the caller can try again later. Defaults to none.
	 */
	readonly job?: Job;
}

/** Prompt tokens evaluated per step; between steps the measurement checks whether other work arrived. */
const chunkTokens = 32;

const sampleCode = `export function mergeSorted(left: number[], right: number[]): number[] {
	const result: number[] = [];
	let i = 0, j = 0;
	while (i < left.length && j < right.length) {
		result.push(left[i] <= right[j] ? left[i++] : right[j++]);
	}
	return result.concat(left.slice(i), right.slice(j));
}
`;

/**
 * A micro-benchmark on a small throwaway context: evaluates `promptTokens` tokens of code (prompt
 * speed), then generates `generatedTokens` tokens greedily (generation speed). Small enough to take
 * well under two seconds on a CPU for small models; never touches the completion context.
 */
export async function measureSpeed(model: LlamaModel, { threads, generationThreads = threads, promptTokens = 256, generatedTokens = 16, signal, job }: MeasureSpeedOptions): Promise<SuggestionSpeeds> {
	const checkpoint = () => {
		signal?.throwIfAborted();
		job?.signal.throwIfAborted();
	};
	const phases = { llama: model.llama, threads: generationThreads };
	checkpoint();
	const trained = model.trainContextSize > 0 ? model.trainContextSize : 4096;
	const promptLength = Math.max(8, Math.min(promptTokens, trained - generatedTokens - 8));
	const prompt = repeatToLength(model.tokenize(sampleCode), promptLength);
	if (prompt.length === 0) {
		throw new RuntimeError({ code: 'internal', message: 'The speed measurement could not tokenize its sample.', action: 'None needed: only the forecast is missing.' });
	}
	const context = await model.createContext({ contextSize: Math.min(trained, promptLength + generatedTokens + 16), sequences: 1, threads, flashAttention: contextFlashAttention });
	try {
		const sequence = context.getSequence();
		checkpoint();
		let promptMs = 0;
		for (let start = 0; start < prompt.length - 1; start += chunkTokens) {
			const chunk = prompt.slice(start, Math.min(start + chunkTokens, prompt.length - 1));
			const began = performance.now();
			const endPrompt = job ? job.enterPhase('prompt', phases) : ThreadPhases.of(model.llama).evaluatingPrompt();
			try {
				await sequence.evaluateWithoutGeneratingNewTokens(chunk);
			} finally {
				endPrompt();
			}
			promptMs += performance.now() - began;
			checkpoint();
		}
		let generated = 0;
		const began = performance.now();
		let firstTokenAt: number | undefined;
		const evaluation = sequence.evaluate(prompt.slice(-1), { temperature: 0, yieldEogToken: true });
		for await (const _token of scheduledEvaluation(evaluation, { inputTokens: 1, job, generationThreads: phases })) {
			// The first token still pays for the last prompt token; generation speed is timed from there.
			firstTokenAt ??= performance.now();
			generated++;
			checkpoint();
			if (generated >= generatedTokens + 1) {
				break;
			}
		}
		const end = performance.now();
		const generationMs = firstTokenAt === undefined ? end - began : end - firstTokenAt;
		const timedTokens = Math.max(1, generated - 1);
		return {
			promptTokensPerSecond: round((prompt.length - 1) / (Math.max(promptMs, 0.1) / 1000)),
			generationTokensPerSecond: round(timedTokens / (Math.max(generationMs, 0.1) / 1000)),
		};
	} finally {
		await context.dispose();
	}
}

function repeatToLength(tokens: readonly Token[], length: number): Token[] {
	if (tokens.length === 0) {
		return [];
	}
	const result: Token[] = [];
	while (result.length < length) {
		result.push(...tokens.slice(0, length - result.length));
	}
	return result;
}

function round(value: number): number {
	return value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}
