import { Scheduler } from '../scheduler/Scheduler';

export interface IdlePrefillOptions {
	/** Quiet time, after the last change and the last completion request, before the prefill runs. Defaults to `1000` ms. */
	readonly idleMs?: number;
	/**
	 * Evaluates the current head; resolves `true` when it is in, `false` when it stopped early (a
	 * request came first), so it runs again after the next quiet time. `signal` aborts when a request
	 * pre-empts it (with a `PreemptedError`) or on {@link IdlePrefill.dispose}.
	 */
	readonly prefill: (signal: AbortSignal) => Promise<boolean>;
	/** Told about a prefill that failed; the prefill is not retried until the next change. Defaults to ignoring it. */
	readonly onError?: (error: unknown) => void;
	/**
	 * Where the quiet time is measured and the prefill runs, in the `speculative` lane: completion
	 * requests (and prefetches) on it start the quiet time again and stop a prefill in progress. Pass
	 * the runtime's (`Runtime.scheduler`). Defaults to a scheduler of its own, which then sees only
	 * the requests told with {@link IdlePrefill.noteRequest}.
	 */
	readonly scheduler?: Scheduler;
	/** The client (window) whose context it prefills. Defaults to none. */
	readonly clientId?: string;
}

/**
 * Runs the prefill of the completion prompt's head once the user is idle: after a change of the
 * extra context, once the scheduler saw no completion work (and no other change came) for `idleMs`.
 * The prefill is speculative work: a request arriving stops it, and it runs again after the next
 * quiet time. This only decides when to try.
 */
export class IdlePrefill {
	private readonly idleMs: number;
	private readonly scheduler: Scheduler;
	private dirty = false;
	private waiting: AbortController | undefined;
	private running: Promise<void> | undefined;
	private readonly disposing = new AbortController();
	private settledWaiters: Array<() => void> = [];

	constructor(private readonly options: IdlePrefillOptions) {
		this.idleMs = options.idleMs ?? 1000;
		this.scheduler = options.scheduler ?? new Scheduler();
	}

	/** The head changed: prefill it after the next quiet time. */
	markChanged(): void {
		if (this.disposing.signal.aborted) {
			return;
		}
		this.dirty = true;
		this.restart();
	}

	/**
	 * A completion request came: it evaluates the head itself, and the quiet time starts again. A
	 * request that runs on the scheduler does this by itself; telling it as well changes nothing.
	 */
	noteRequest(): void {
		if (this.dirty) {
			this.restart();
		}
	}

	/** Resolves when nothing is waiting or running (tests wait on it rather than on time). */
	whenSettled(): Promise<void> {
		return !this.dirty && !this.running ? Promise.resolve() : new Promise(resolve => this.settledWaiters.push(resolve));
	}

	dispose(): void {
		this.dirty = false;
		this.waiting?.abort();
		this.waiting = undefined;
		this.disposing.abort();
		this.settle();
	}

	/** Waits for a fresh quiet time (giving up the one being waited for), then runs. */
	private restart(): void {
		if (this.running) {
			// It runs again when it ends, if it is still dirty.
			return;
		}
		this.waiting?.abort();
		const waiting = new AbortController();
		this.waiting = waiting;
		this.scheduler.whenQuiet('speculative', this.idleMs, AbortSignal.any([waiting.signal, this.disposing.signal])).then(() => {
			if (this.waiting === waiting) {
				this.waiting = undefined;
				this.run();
			}
		}, () => undefined);
	}

	private run(): void {
		if (this.running || !this.dirty || this.disposing.signal.aborted) {
			this.settle();
			return;
		}
		this.dirty = false;
		const { clientId } = this.options;
		this.running = this.scheduler.run({ lane: 'speculative', clientId, signal: this.disposing.signal }, async job => {
			try {
				if (!(await this.options.prefill(job.signal)) && !this.disposing.signal.aborted) {
					this.dirty = true;
				}
			} catch (error) {
				if (job.signal.aborted && !this.disposing.signal.aborted) {
					// Stopped for a request before it could say so: try again after the next quiet time.
					this.dirty = true;
				} else if (!this.disposing.signal.aborted) {
					this.options.onError?.(error);
				}
			}
		}).finally(() => {
			this.running = undefined;
			if (this.dirty) {
				this.restart();
			} else {
				this.settle();
			}
		});
	}

	private settle(): void {
		if (this.dirty || this.running || this.waiting) {
			return;
		}
		const waiters = this.settledWaiters;
		this.settledWaiters = [];
		waiters.forEach(wake => wake());
	}
}
