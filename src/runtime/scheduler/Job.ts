import { PreemptedError } from '../errors/PreemptedError';
import { abortable } from '../util/abortable';
import type { GenerationThreads } from '../util/generationThreads';
import type { Lane } from './lanes';
import { once, ThreadPhases, type EndPhase } from './ThreadPhases';

export interface JobOptions {
	readonly lane: Lane;
	/**
	 * The client (editor window) the work is for, so a runtime shared by several windows can order
	 * them. Clients have equal priority for now: only the lane decides. Defaults to none.
	 */
	readonly clientId?: string;
	/** The caller's cancellation; {@link Job.signal} follows it. Defaults to none. */
	readonly signal?: AbortSignal;
}

/**
 * What a job is doing on the device: `waiting` (entered, nothing evaluating: queued, or between
 * evaluations), `paused` at a token boundary for higher work, evaluating a `prompt`, or `generating`.
 */
export type JobPhase = 'waiting' | 'paused' | 'prompt' | 'generating';

/** What a job needs from its scheduler. */
export interface JobHost {
	/** Whether work that pauses `job` is active. */
	pauses(job: Job): boolean;
	/** Resolves at the next arrival or end of a job. */
	nextChange(): Promise<void>;
	ended(job: Job): void;
}

/**
 * One piece of work on the device, from its arrival (so queued work counts) to its end. Generation
 * loops pass its token boundaries ({@link boundary}, through `scheduledEvaluation`) and check its
 * {@link signal}, which aborts with a {@link PreemptedError} when higher work stops it.
 */
export class Job {
	readonly lane: Lane;
	readonly clientId: string | undefined;
	/** Aborts with the caller's reason, or with a {@link PreemptedError} when higher work stops the job. */
	readonly signal: AbortSignal;
	private readonly preemption = new AbortController();
	private currentPhase: JobPhase = 'waiting';
	private done = false;

	constructor(private readonly host: JobHost, { lane, clientId, signal }: JobOptions) {
		this.lane = lane;
		this.clientId = clientId;
		this.signal = signal ? AbortSignal.any([signal, this.preemption.signal]) : this.preemption.signal;
	}

	get phase(): JobPhase {
		return this.currentPhase;
	}

	get hasEnded(): boolean {
		return this.done;
	}

	/** Whether the next token must wait: work that pauses this lane is active. */
	get mustPause(): boolean {
		return !this.done && this.host.pauses(this);
	}

	/**
	 * A token or batch boundary: resolves at once unless work that pauses this lane is active, then
	 * when it has ended; rejects with the signal's reason if the job aborts meanwhile (Stop).
	 */
	async boundary(): Promise<void> {
		if (!this.mustPause) {
			return;
		}
		this.currentPhase = 'paused';
		try {
			while (this.mustPause) {
				this.signal.throwIfAborted();
				await abortable(this.host.nextChange(), this.signal);
			}
		} finally {
			this.currentPhase = 'waiting';
		}
	}

	/**
	 * Marks the job as evaluating a prompt or generating until the returned function is called. With
	 * `threads`, the Llama's thread cap follows ({@link ThreadPhases}): every thread for a prompt,
	 * `threads.threads` while generating.
	 */
	enterPhase(phase: 'prompt' | 'generating', threads: GenerationThreads | undefined): EndPhase {
		this.currentPhase = phase;
		const endThreads = threads === undefined ? undefined
			: phase === 'prompt' ? ThreadPhases.of(threads.llama).evaluatingPrompt() : ThreadPhases.of(threads.llama).generating(threads.threads);
		return once(() => {
			endThreads?.();
			if (this.currentPhase === phase) {
				this.currentPhase = 'waiting';
			}
		});
	}

	/** Leaves the scheduler: lower work paused for this one resumes. Calling it again does nothing. */
	end(): void {
		if (!this.done) {
			this.done = true;
			this.host.ended(this);
		}
	}

	/** @internal The scheduler stops the job for `by`; the first reason stays. */
	_preempt(by: Job): void {
		if (!this.preemption.signal.aborted) {
			this.preemption.abort(new PreemptedError(this.lane, { lane: by.lane, ...(by.clientId === undefined ? {} : { clientId: by.clientId }) }));
		}
	}
}
