export interface IdlePrefillOptions {
	/** Quiet time, after the last change and the last request, before the prefill runs. Defaults to `1000` ms. */
	readonly idleMs?: number;
	/**
	 * Evaluates the current head; resolves `true` when it is in, `false` when it stopped early (a
	 * request came first), so it runs again after the next quiet time.
	 */
	readonly prefill: (signal: AbortSignal) => Promise<boolean>;
	/** Told about a prefill that failed; the prefill is not retried until the next change. Defaults to ignoring it. */
	readonly onError?: (error: unknown) => void;
}

/**
 * Runs the prefill of the completion prompt's head once the user is idle: after a change of the
 * extra context, when neither another change nor a completion request came for `idleMs`. The
 * engine stops a running prefill for any request; this only decides when to try.
 */
export class IdlePrefill {
	private readonly idleMs: number;
	private timer: NodeJS.Timeout | undefined;
	private dirty = false;
	private running: Promise<void> | undefined;
	private abort: AbortController | undefined;
	private disposed = false;
	private settledWaiters: Array<() => void> = [];

	constructor(private readonly options: IdlePrefillOptions) {
		this.idleMs = options.idleMs ?? 1000;
	}

	/** The head changed: prefill it after the next quiet time. */
	markChanged(): void {
		if (this.disposed) {
			return;
		}
		this.dirty = true;
		this.restart();
	}

	/** A completion request came: it evaluates the head itself, and the quiet time starts again. */
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
		this.disposed = true;
		this.dirty = false;
		clearTimeout(this.timer);
		this.abort?.abort();
		this.settle();
	}

	private restart(): void {
		clearTimeout(this.timer);
		this.timer = setTimeout(() => this.run(), this.idleMs);
		// An idle editor should not keep the runtime process alive for this.
		this.timer.unref();
	}

	private run(): void {
		if (this.running || !this.dirty || this.disposed) {
			return;
		}
		this.dirty = false;
		const abort = new AbortController();
		this.abort = abort;
		this.running = (async () => {
			try {
				if (!(await this.options.prefill(abort.signal)) && !this.disposed) {
					this.dirty = true;
				}
			} catch (error) {
				this.options.onError?.(error);
			} finally {
				this.running = undefined;
				if (this.dirty) {
					this.restart();
				} else {
					this.settle();
				}
			}
		})();
	}

	private settle(): void {
		if (this.dirty || this.running) {
			return;
		}
		const waiters = this.settledWaiters;
		this.settledWaiters = [];
		waiters.forEach(wake => wake());
	}
}
