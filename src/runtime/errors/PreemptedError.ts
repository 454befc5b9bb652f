import type { Lane } from '../scheduler/lanes';

/** Who stopped a job: the lane and client of the work that came first. */
export interface Preemptor {
	readonly lane: Lane;
	readonly clientId?: string;
}

/**
 * The reason a scheduler job's signal aborts when higher-priority work stopped it (speculative work
 * for a real completion, background work for any request), as opposed to its caller's own abort.
 * Callers that try again later (the speed forecast, the idle prefill) look for this.
 */
export class PreemptedError extends Error {
	readonly lane: Lane;
	readonly by: Preemptor;

	constructor(lane: Lane, by: Preemptor) {
		super(`The ${lane} work gave way to ${by.lane} work${by.clientId === undefined ? '' : ` for ${by.clientId}`}.`);
		this.name = 'PreemptedError';
		this.lane = lane;
		this.by = by;
	}
}
