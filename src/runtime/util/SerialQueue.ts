/** Runs async jobs one at a time, in arrival order; a failing job does not block the next. */
export class SerialQueue {
	private tail: Promise<unknown> = Promise.resolve();

	run<T>(job: () => Promise<T>): Promise<T> {
		const result = this.tail.then(job, job);
		this.tail = result.catch(() => undefined);
		return result;
	}
}
