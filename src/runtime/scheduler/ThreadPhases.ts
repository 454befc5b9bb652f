import type { Llama } from 'node-llama-cpp';

/** Ends a phase begun with {@link ThreadPhases}; calling it again does nothing. */
export type EndPhase = () => void;

/**
 * The thread cap of one Llama instance, from the phases of every evaluation on it, since
 * `llama.maxThreads` is shared by all its contexts (completion, chat, the speed measurement): while
 * any prompt is being evaluated, every thread is allowed, so a completion's prompt never runs under
 * a chat answer's cap; otherwise, while anything generates, the lowest thread count asked for
 * generation applies. Scheduler jobs enter these phases (`Job.enterPhase`); nothing else should.
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

export function once(action: () => void): EndPhase {
	let done = false;
	return () => {
		if (!done) {
			done = true;
			action();
		}
	};
}
