export interface RestartPolicyOptions {
	/** Crashes within the window that are still restarted. Defaults to `4`. */
	readonly maxRestarts?: number;
	/** How far back crashes count. Defaults to `180000` ms (3 minutes). */
	readonly windowMs?: number;
}

/** Whether a runtime that died is started again, and how many crashes the window holds. */
export type RestartDecision = { readonly restart: true } | { readonly restart: false; readonly crashes: number; readonly windowMinutes: number };

/**
 * When a runtime that died is restarted: always, unless it died more than `maxRestarts` times within
 * the window, so a runtime that cannot stay up does not restart forever. Pure; the caller gives the time.
 */
export class RestartPolicy {
	private readonly crashes: number[] = [];
	private readonly maxRestarts: number;
	private readonly windowMs: number;

	constructor({ maxRestarts = 4, windowMs = 3 * 60_000 }: RestartPolicyOptions = {}) {
		this.maxRestarts = maxRestarts;
		this.windowMs = windowMs;
	}

	/** Records a crash at `now` (ms) and decides. */
	onCrash(now: number): RestartDecision {
		this.crashes.push(now);
		while (this.crashes.length > 0 && now - this.crashes[0]! > this.windowMs) {
			this.crashes.shift();
		}
		return this.crashes.length > this.maxRestarts
			? { restart: false, crashes: this.crashes.length, windowMinutes: Math.round(this.windowMs / 60_000) }
			: { restart: true };
	}
}
