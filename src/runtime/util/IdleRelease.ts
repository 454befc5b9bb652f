import type { SerialQueue } from './SerialQueue';

export interface IdleReleaseOptions {
	/** How long nothing may run before {@link release} is called. */
	readonly idleMs: number;
	/** Frees what is held. It runs on the owner's queue, so it never overlaps a use of what it frees. */
	readonly release: () => Promise<void>;
}

/**
 * Frees a resource after a quiet period, so memory nobody uses goes back to the user. Uses are
 * counted from the moment they are asked for (not when their turn in the queue comes), so the wait
 * starts only when the last one has ended, and a release that comes due while a use is already
 * waiting in the queue is skipped instead of freeing what that use is about to need.
 */
export class IdleRelease implements Disposable {
	private active = 0;
	private timer: NodeJS.Timeout | undefined;
	private disposed = false;

	constructor(private readonly queue: SerialQueue, private readonly options: IdleReleaseOptions) { }

	/** Runs `work` on the queue as one use: no release while it waits or runs. */
	use<T>(work: () => Promise<T>): Promise<T> {
		this.active++;
		clearTimeout(this.timer);
		const result = this.queue.run(work);
		void result.finally(() => this.ended()).catch(() => undefined);
		return result;
	}

	[Symbol.dispose](): void {
		this.disposed = true;
		clearTimeout(this.timer);
	}

	private ended(): void {
		if (--this.active > 0 || this.disposed) {
			return;
		}
		this.timer = setTimeout(() => void this.queue.run(async () => {
			// A use asked for after the timer fired is queued behind this job: keep what it needs.
			if (this.active === 0 && !this.disposed) {
				await this.options.release();
			}
		}).catch(() => undefined), this.options.idleMs);
		// A pending release must not keep the runtime process alive.
		this.timer.unref();
	}
}
