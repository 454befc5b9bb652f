import type { LlamaContextSequence } from 'node-llama-cpp';
import type { GenerationThreads } from '../util/generationThreads';
import type { Job } from './Job';
import { ThreadPhases, type EndPhase } from './ThreadPhases';

export interface ScheduledEvaluationOptions {
	/** Tokens the evaluation starts with: its first step evaluates them as a prompt, unless they are as few as a keystroke's. */
	readonly inputTokens: number;
	/** Whose evaluation it is: its token boundaries and phases. Defaults to none (phases only, never a pause). */
	readonly job?: Job;
	/** Fewer threads once the prompt is evaluated. Defaults to the context's threads throughout. */
	readonly generationThreads?: GenerationThreads;
}

/** Input tokens up to which an evaluation counts as generation from its start: a keystroke's few new tokens. */
export const smallDecodeTokens = 8;

/**
 * Passes a sequence's token generator through the scheduler: before every step (the next token) it
 * waits at the job's boundary while higher work is active, holding no thread phase meanwhile (a
 * paused chat must neither cap nor lift a completion's threads); each step runs in its phase, the
 * first as a prompt (or as generation when the input is a keystroke's), the rest as generation.
 * node-llama-cpp evaluates the next token only when its generator is resumed, so waiting before
 * `next()` pauses between tokens. The phase ends with the generator.
 */
export async function* scheduledEvaluation<T, TNext>(evaluation: AsyncGenerator<T, void, TNext>, { inputTokens, job, generationThreads }: ScheduledEvaluationOptions): AsyncGenerator<T, void, TNext> {
	let generating = inputTokens <= smallDecodeTokens;
	let end: EndPhase | undefined;
	const enter = (): EndPhase => job ? job.enterPhase(generating ? 'generating' : 'prompt', generationThreads) : phaseWithoutJob(generating, generationThreads);
	try {
		let input: [TNext] | [] = [];
		for (;;) {
			if (job?.mustPause) {
				end?.();
				end = undefined;
				await job.boundary();
			}
			end ??= enter();
			const step = await evaluation.next(...input);
			if (step.done) {
				return;
			}
			if (!generating) {
				generating = true;
				end();
				end = enter();
			}
			input = [yield step.value];
		}
	} finally {
		end?.();
		await evaluation.return();
	}
}

/** The same thread phases for evaluations outside any job (benchmarks); phases are per Llama, so they still combine with the rest. */
function phaseWithoutJob(generating: boolean, generationThreads: GenerationThreads | undefined): EndPhase {
	if (!generationThreads) {
		return () => undefined;
	}
	const phases = ThreadPhases.of(generationThreads.llama);
	return generating ? phases.generating(generationThreads.threads) : phases.evaluatingPrompt();
}

export interface SequenceScheduling {
	/** The job using the sequence now, read when an evaluation starts; none evaluates unscheduled. */
	readonly jobOf: () => Job | undefined;
	/** See {@link ScheduledEvaluationOptions.generationThreads}. */
	readonly generationThreads: GenerationThreads | undefined;
}

/**
 * Makes every `evaluate` on `sequence` a {@link scheduledEvaluation} of the job `jobOf` names, for
 * every generation loop alike: ours (`generateTokens`) and node-llama-cpp's (`LlamaChat`, which
 * calls `sequence.evaluate` itself). node-llama-cpp 3.21.1 has no legitimate hook between tokens:
 * `LlamaChat.generateResponse`'s callbacks (`onToken`, `onResponseChunk`, a `tokenBias` function)
 * are synchronous; `evaluationPriority` and `itemPrioritizationStrategy` only order sequences of one
 * context within a batch, while completion and chat have contexts of their own; and a custom
 * `batching.dispatchSchedule` is skipped when every sequence of a context has queued work, which a
 * one-sequence context always has (`LlamaContext._scheduleDecode`). So the scheduler wraps the
 * sequence's own `evaluate`, here and nowhere else. Only sequences the runtime owns are wrapped.
 */
export function scheduleEvaluations(sequence: LlamaContextSequence, { jobOf, generationThreads }: SequenceScheduling): void {
	const evaluate = sequence.evaluate.bind(sequence);
	sequence.evaluate = (tokens, options) => scheduledEvaluation(evaluate(tokens, options), { inputTokens: tokens.length, job: jobOf(), generationThreads });
}
