/**
 * Lets urgent work (inline completion) go first: while any hold is open, lower-priority work that
 * asks {@link whenClear} waits. Chat generation asks before every token, so a long answer pauses
 * between tokens while a completion runs and resumes afterwards.
 */
export class PriorityGate {
	private holds = 0;
	private waiters: Array<() => void> = [];

	/** Whether no urgent work is pending. */
	get isClear(): boolean {
		return this.holds === 0;
	}

	/** Marks urgent work as pending until the returned function is called (once; later calls do nothing). */
	hold(): () => void {
		this.holds++;
		let released = false;
		return () => {
			if (released) {
				return;
			}
			released = true;
			if (--this.holds === 0) {
				const waiters = this.waiters;
				this.waiters = [];
				waiters.forEach(wake => wake());
			}
		};
	}

	/** Resolves as soon as no hold is open (at once when none is). */
	whenClear(): Promise<void> {
		return this.isClear ? Promise.resolve() : new Promise(resolve => this.waiters.push(resolve));
	}
}
