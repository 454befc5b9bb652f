/**
 * Lets at most `limit` holders run at once; the others wait in arrival order. A waiter whose signal
 * aborts leaves the line with the signal's reason and never takes a slot.
 */
export class Semaphore {
	private held = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(private readonly limit: number) {
		if (!(limit >= 1)) throw new RangeError(`A semaphore needs a limit of at least 1, not ${limit}`);
	}

	/** Holders now (for tests and logs). */
	get inUse(): number {
		return this.held;
	}

	/** Resolves with a `release` function once a slot is free; call it exactly once (later calls do nothing). */
	acquire(signal?: AbortSignal): Promise<() => void> {
		signal?.throwIfAborted();
		if (this.held < this.limit) {
			this.held++;
			return Promise.resolve(this.releaser());
		}
		return new Promise((resolve, reject) => {
			const onAbort = () => {
				const index = this.waiting.indexOf(grant);
				if (index >= 0) this.waiting.splice(index, 1);
				reject(signal!.reason);
			};
			const grant = () => {
				signal?.removeEventListener('abort', onAbort);
				this.held++;
				resolve(this.releaser());
			};
			this.waiting.push(grant);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	private releaser(): () => void {
		let released = false;
		return () => {
			if (released) return;
			released = true;
			this.held--;
			this.waiting.shift()?.();
		};
	}
}
