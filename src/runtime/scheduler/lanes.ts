/**
 * The kinds of work on the device, highest priority first:
 * - `interactive`: a completion the user waits for;
 * - `speculative`: work that may save a later wait (a prefetch, the idle prefill of the extra context);
 * - `chat`: a chat answer, which streams and may pause;
 * - `background`: work nobody waits for (the speed forecast, warm-up).
 */
export const lanes = ['interactive', 'speculative', 'chat', 'background'] as const;

export type Lane = typeof lanes[number];

/** How a lane gives way to the others while work of theirs is active. */
export interface LanePolicy {
	/** Work in these lanes aborts it (with a `PreemptedError`), whether it arrives first or later. */
	readonly stoppedBy: readonly Lane[];
	/** While work in these lanes is active, it waits at its next token boundary and then resumes. */
	readonly pausedBy: readonly Lane[];
}

/**
 * A chat pauses rather than stops because its answer is half written and the user reads it; work that
 * is cheap to redo (or worthless once the user typed on) stops instead, so nothing waits on it.
 */
export const lanePolicies: { readonly [L in Lane]: LanePolicy } = {
	interactive: { stoppedBy: [], pausedBy: [] },
	speculative: { stoppedBy: ['interactive'], pausedBy: [] },
	chat: { stoppedBy: [], pausedBy: ['interactive', 'speculative'] },
	background: { stoppedBy: ['interactive', 'speculative', 'chat'], pausedBy: [] },
};

/** 0 for the highest lane. */
export function rankOf(lane: Lane): number {
	return lanes.indexOf(lane);
}
