import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import { DraftTokenPredictor } from '../completion/draft/DraftTokenPredictor';
import { contextFlashAttention } from '../loading/contextFlashAttention';
import { createFittingContext } from '../loading/createFittingContext';
import type { LoadedModel } from '../loading/loadModel';
import type { Job } from '../scheduler/Job';
import type { Lane } from '../scheduler/lanes';
import { scheduleEvaluations } from '../scheduler/scheduledEvaluation';
import { IdleRelease } from '../util/IdleRelease';
import { SerialQueue } from '../util/SerialQueue';
import { DisposableBase } from './DisposableBase';

export interface LazyContextOptions {
	/** Tokens of KV cache to ask for; once a smaller size was all that fitted, later contexts start there. */
	readonly contextSize: number;
	/** What to fall back to when `contextSize` does not fit (see `createFittingContext`). */
	readonly fallbackContextSize: number;
	readonly threads: number;
	/** Tokens evaluated in one batch. Defaults to node-llama-cpp's (512). */
	readonly batchSize?: number;
	/** Threads while generating, after the prompt (see `generationThreadsFor`). Defaults to `threads` throughout. */
	readonly generationThreads?: number;
	/** After this long without a use the context is freed; the next use creates it again. */
	readonly idleReleaseMs: number;
	/** Told when the context had to be smaller than asked for lack of memory. Defaults to nothing. */
	readonly onNotice?: (notice: string) => void;
	/** Called when the context is freed (idle or disposed), to drop what was tied to it. Defaults to nothing. */
	readonly onRelease?: () => void;
	/**
	 * A draft model of the same vocabulary: the sequence gets a context of it the same size, and
	 * guesses from it are checked by the model in one batch (speculative decoding; greedy output is
	 * unchanged). Created and freed with the context. Defaults to none.
	 */
	readonly draft?: LoadedModel;
}


/** What a use gets: the one sequence, created on first need. */
export interface ContextUse {
	sequence(): Promise<LlamaContextSequence>;
	/** How long this use waited for the context to be created, in ms; `undefined` when it existed already. */
	readonly createdMs: number | undefined;
}

/** One creation of the context: the lane of the use that paid for it and what it cost. */
export interface ContextCreation {
	readonly lane: Lane;
	readonly ms: number;
}

interface Held {
	readonly context: LlamaContext;
	readonly sequence: LlamaContextSequence;
	/** The draft model's context, when there is one. */
	readonly draftContext?: LlamaContext;
}

/**
 * An engine's one-sequence context: created on first use, not at load (a model used for one thing
 * costs no KV memory for the other; the owner warms it with a background use when it will be
 * needed), fitted to the free memory (remembering the size that fitted),
 * freed after a quiet period, and used by one job at a time on the owner's queue. Every evaluation
 * on its sequence goes through the scheduler as the job of the use that started it.
 */
export class LazyContext extends DisposableBase {
	private readonly queue = new SerialQueue();
	private readonly idle: IdleRelease;
	private held: Promise<Held> | undefined;
	/** The size the context got, when it had to be smaller than asked. */
	private fittedContextSize: number | undefined;
	/** The job of the use in progress: the sequence's evaluations are its. */
	private current: Job | undefined;
	private readonly createdLog: ContextCreation[] = [];

	constructor(private readonly loaded: LoadedModel, private readonly options: LazyContextOptions) {
		super();
		// Memory is the user's: an engine left alone should not hold a KV cache it is not using.
		this.idle = new IdleRelease(this.queue, { idleMs: options.idleReleaseMs, release: () => this.release() });
	}

	/** Whether the KV cache is allocated right now. */
	get holdsContext(): boolean {
		return this.held !== undefined;
	}

	/** Every creation of the context so far, oldest first (tests assert who paid for one). */
	get creations(): readonly ContextCreation[] {
		return this.createdLog;
	}

	/** The context size that will be (or is) used. */
	get contextSize(): number {
		return this.fittedContextSize ?? this.options.contextSize;
	}

	/**
	 * Runs `work` on the owner's queue as `job`: one use at a time, no idle release while it waits or
	 * runs, and throws the {@link DisposedError} when disposal came first.
	 */
	use<T>(job: Job, work: (use: ContextUse) => Promise<T>): Promise<T> {
		this.ensureNotDisposed();
		return this.idle.use(async () => {
			this.ensureNotDisposed();
			this.current = job;
			try {
				let createdMs: number | undefined;
				return await work({
					sequence: async () => {
						if (this.held) {
							return (await this.held).sequence;
						}
						const started = performance.now();
						const { sequence } = await this.create();
						createdMs = performance.now() - started;
						this.createdLog.push({ lane: job.lane, ms: createdMs });
						return sequence;
					},
					get createdMs() {
						return createdMs;
					},
				});
			} finally {
				this.current = undefined;
			}
		});
	}

	protected async onDispose(): Promise<void> {
		this.idle[Symbol.dispose]();
		// Queued after the use in progress, which the owner's dispose signal has stopped.
		await this.queue.run(() => this.release());
	}

	private create(): Promise<Held> {
		this.held ??= (async () => {
			const { context, contextSize, notice } = await createFittingContext(this.loaded, {
				contextSize: this.contextSize,
				fallbackContextSize: this.options.fallbackContextSize,
				threads: this.options.threads,
				...(this.options.batchSize === undefined ? {} : { batchSize: this.options.batchSize }),
			});
			this.fittedContextSize = contextSize;
			if (notice) {
				this.options.onNotice?.(notice);
			}
			const draftContext = await this.createDraftContext(contextSize);
			const sequence = context.getSequence(draftContext ? { tokenPredictor: new DraftTokenPredictor(draftContext.getSequence()) } : {});
			const { generationThreads } = this.options;
			scheduleEvaluations(sequence, {
				jobOf: () => this.current,
				generationThreads: generationThreads === undefined ? undefined : { llama: this.loaded.model.llama, threads: generationThreads },
			});
			return { context, sequence, ...(draftContext ? { draftContext } : {}) };
		})();
		this.held.catch(() => { this.held = undefined; });
		return this.held;
	}

	private async release(): Promise<void> {
		const held = this.held;
		this.held = undefined;
		this.options.onRelease?.();
		await held?.then(async ({ context, draftContext }) => {
			await context.dispose();
			await draftContext?.dispose();
		}, () => undefined);
	}

	/** The draft model's context, as large as the completion one; without one (and a notice) when it does not fit. */
	private async createDraftContext(contextSize: number): Promise<LlamaContext | undefined> {
		const { draft, threads, batchSize } = this.options;
		if (!draft) {
			return undefined;
		}
		try {
			return await draft.model.createContext({ contextSize, sequences: 1, threads, flashAttention: contextFlashAttention, ...(batchSize === undefined ? {} : { batchSize: Math.min(batchSize, contextSize) }) });
		} catch (error) {
			this.options.onNotice?.(`The draft model ${draft.info.name} got no context (${error instanceof Error ? error.message : String(error)}): completing without it. Clear bora.completion.draftModelPath, or free memory.`);
			return undefined;
		}
	}
}
