/*
 * When an automatic inline completion request goes to the runtime. Pure logic, no `vscode` import,
 * so it is unit-tested in test/standalone; `InlineTriggerGate` applies it in the client.
 */
import type { Settings } from '../../shared/settings';

/** `eager`: ask almost at once; `normal`: wait for a short pause in typing; `onPause`: only when the user stops typing. */
export type Politeness = Settings['politeness'];

export type TriggerDecision =
	| { readonly kind: 'now' }
	| { readonly kind: 'after'; readonly delayMs: number };

export interface TriggerInput {
	/** The user asked explicitly (`InlineCompletionTriggerKind.Invoke`): always goes through, at once. */
	readonly explicit: boolean;
	/** Milliseconds since the last keystroke in the document. */
	readonly sinceLastKeystrokeMs: number;
	/** From {@link TypingRhythm.debounceMs}. */
	readonly debounceMs: number;
}

/**
 * Whether to ask the runtime now or after a wait. Whether the text right of the cursor allows an
 * automatic suggestion is the runtime's call (`bora.completion.maxSuffixCharsOnLine`, reason `suffixOnLine`).
 */
export function decideTrigger({ explicit, sinceLastKeystrokeMs, debounceMs }: TriggerInput): TriggerDecision {
	if (explicit) {
		return { kind: 'now' };
	}
	const wait = debounceMs - sinceLastKeystrokeMs;
	return wait > 0 ? { kind: 'after', delayMs: wait } : { kind: 'now' };
}

/** Per politeness: multiple of the user's typical gap between keystrokes, and the clamp. */
const rhythm: Readonly<Record<Politeness, { readonly factor: number; readonly min: number; readonly max: number }>> = {
	eager: { factor: 0.75, min: 0, max: 250 },
	normal: { factor: 1.5, min: 100, max: 1000 },
	onPause: { factor: 3, min: 500, max: 2000 },
};

/**
 * The user's own typing rhythm (after Tabby): the median gap between recent keystrokes, ignoring
 * gaps that are pauses rather than typing. The debounce is that gap times a politeness factor, less
 * the expected latency of a suggestion, clamped.
 */
export class TypingRhythm {
	private readonly gaps: number[] = [];
	private last: number | undefined;

	/**
	 * @param windowSize Gaps kept. Defaults to `20`.
	 * @param pauseMs Longer gaps are pauses, not typing. Defaults to `2000`.
	 * @param defaultGapMs The typical gap before anything was measured. Defaults to `200`.
	 */
	constructor(private readonly windowSize = 20, private readonly pauseMs = 2000, private readonly defaultGapMs = 200) { }

	/** Records a keystroke at `now` (ms, any monotonic clock). */
	keystroke(now: number): void {
		if (this.last !== undefined) {
			const gap = now - this.last;
			if (gap > 0 && gap <= this.pauseMs) {
				this.gaps.push(gap);
				if (this.gaps.length > this.windowSize) {
					this.gaps.shift();
				}
			}
		}
		this.last = now;
	}

	/** Milliseconds since the last keystroke; `Infinity` before the first. */
	sinceLastKeystroke(now: number): number {
		return this.last === undefined ? Infinity : now - this.last;
	}

	/** The user's typical gap between keystrokes. */
	get typicalGapMs(): number {
		if (this.gaps.length < 3) {
			return this.defaultGapMs;
		}
		const sorted = [...this.gaps].sort((a, b) => a - b);
		return sorted[Math.floor(sorted.length / 2)]!;
	}

	/** How long after the last keystroke to wait before asking. `expectedLatencyMs` (the last suggestion's cost) shortens it. */
	debounceMs(politeness: Politeness, expectedLatencyMs = 0): number {
		const { factor, min, max } = rhythm[politeness];
		return Math.round(Math.min(max, Math.max(min, this.typicalGapMs * factor - expectedLatencyMs)));
	}
}
