import type { Llama } from 'node-llama-cpp';

/**
 * Threads for the decodes that generate one token each, where they should be fewer than for prompt
 * evaluation. node-llama-cpp 3.21.1 gives a context one thread count for both phases (llama.cpp's
 * `n_threads` and `n_threads_batch`), but its thread splitter reads `llama.maxThreads` before every
 * batch, so changing that cap between the prompt and the first generated token splits the phases.
 */
export interface GenerationThreads {
	readonly llama: Llama;
	readonly threads: number;
}

/**
 * One thread fewer than the cores, at least one. A generated token is a tiny graph that llama.cpp
 * splits across its threads with spin barriers; with every core busy in it, the runtime's event
 * loop and the editor preempt one of them and the others spin until it is back. On a 2-core machine
 * that made one token in four take 15–40 ms instead of 4 (`npm run bench`, threads.bench). Prompt
 * evaluation, one large batch with nothing else running, keeps every core.
 */
export function generationThreadsFor(cores: number): number {
	return Math.max(1, cores - 1);
}

/** Ends a phase begun with {@link ThreadPhases}. */
export type EndPhase = () => void;

/**
 * The phases of every evaluation on one Llama instance, since `llama.maxThreads` is shared by all
 * its contexts (completion, chat, the speed measurement): while any prompt is being evaluated, every
 * thread is allowed, so a completion's prompt never runs under a chat answer's cap; otherwise, while
 * anything generates, the lowest thread count asked for generation applies.
 */
export class ThreadPhases {
	/** The cap when nothing generates: what `llama.maxThreads` was when the phases were first used. */
	private readonly promptThreads: number;
	private prompts = 0;
	/** Thread counts of the generations in progress. */
	private readonly generations: number[] = [];

	private constructor(private readonly llama: Llama) {
		this.promptThreads = llama.maxThreads;
	}

	private static readonly byLlama = new WeakMap<Llama, ThreadPhases>();

	static of(llama: Llama): ThreadPhases {
		let phases = ThreadPhases.byLlama.get(llama);
		if (!phases) {
			phases = new ThreadPhases(llama);
			ThreadPhases.byLlama.set(llama, phases);
		}
		return phases;
	}

	/** Every thread, until the returned function is called. */
	evaluatingPrompt(): EndPhase {
		this.prompts++;
		this.apply();
		return once(() => {
			this.prompts--;
			this.apply();
		});
	}

	/** At most `threads` while no prompt is being evaluated, until the returned function is called. */
	generating(threads: number): EndPhase {
		this.generations.push(threads);
		this.apply();
		return once(() => {
			this.generations.splice(this.generations.indexOf(threads), 1);
			this.apply();
		});
	}

	private apply(): void {
		const generating = this.generations.length > 0 ? Math.min(...this.generations) : undefined;
		this.llama.maxThreads = this.prompts > 0 || generating === undefined || (this.promptThreads !== 0 && generating >= this.promptThreads)
			? this.promptThreads
			: Math.max(1, generating);
	}
}

/**
 * Passes a sequence's token generator through in the right phases: its first step, which evaluates
 * `inputTokens` and yields the first token, as a prompt (or as generation when the input is as small
 * as a generated token's), and every later step as generation. The phase ends with the generator.
 */
export async function* inThreadPhases<T, TNext>(evaluation: AsyncGenerator<T, void, TNext>, inputTokens: number, { llama, threads }: GenerationThreads): AsyncGenerator<T, void, TNext> {
	const phases = ThreadPhases.of(llama);
	let generating = inputTokens <= smallDecodeTokens;
	let end = generating ? phases.generating(threads) : phases.evaluatingPrompt();
	try {
		let step = await evaluation.next();
		while (!step.done) {
			if (!generating) {
				end();
				end = phases.generating(threads);
				generating = true;
			}
			step = await evaluation.next(yield step.value);
		}
	} finally {
		end();
		await evaluation.return();
	}
}

/** Input tokens up to which an evaluation counts as generation from its start: a keystroke's few new tokens. */
export const smallDecodeTokens = 8;

function once(action: () => void): EndPhase {
	let done = false;
	return () => {
		if (!done) {
			done = true;
			action();
		}
	};
}
