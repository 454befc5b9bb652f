import type { BackendCompletionResult, EmptyReason } from './CompletionBackend';
import { agrees, restAfterTyped, typedSince, type CompletionState } from './typedThrough';

/** What starting a generation gets: its own lifetime, decoupled from the request that asked for it. */
export interface GenerationControl {
	/** Aborted when the generation is no longer wanted by anyone. */
	readonly signal: AbortSignal;
	/** Aborted when nobody waits for the extra suggestions any more; the first may still be joined. */
	readonly alternativesSignal: AbortSignal;
	/** To be called with the first suggestion's raw text as it streams, so later requests can tell whether it still agrees. */
	readonly onText: (text: string) => void;
	/** A prefetch: nobody asked for it yet. */
	readonly prefetch: boolean;
	/** Suggestions to compute, best first. */
	readonly candidates: number;
}

/** A generation that ended with a result, for the cache and the stats. */
export interface SettledGeneration {
	readonly state: CompletionState;
	readonly result: BackendCompletionResult;
	readonly prefetch: boolean;
	/** Suggestions asked for (the result may have fewer). */
	readonly candidates: number;
	readonly startedAt: number;
}

export interface InflightCompletionsOptions {
	/** Runs the model for a state; must honour both signals. */
	readonly start: (state: CompletionState, control: GenerationControl) => Promise<BackendCompletionResult>;
	/** Called once for each generation that ran to its end, whether or not anyone still waited. Defaults to none. */
	readonly onSettled?: (generation: SettledGeneration) => void;
	/**
	 * How long a generation whose requests were all cancelled is kept for a request that continues
	 * it (the editor cancels on each keystroke). Defaults to `200` ms, as Copilot waits.
	 */
	readonly graceMs?: number;
}

/** How a request was served. */
export type InflightAnswer =
	| {
		readonly kind: 'served';
		/** The rest of each suggestion after what was typed since the generation started, best first; empty for none. */
		readonly suggestions: readonly string[];
		/** Why the generation had nothing, when `suggestions` is empty. */
		readonly emptyReason?: EmptyReason;
		/** It continued a generation that was already running (a request's or a prefetch's). */
		readonly joined: boolean;
		readonly prefetched: boolean;
	}
	/** Another request, which did not continue this one, stopped the generation it waited for. */
	| { readonly kind: 'superseded' };

/** How waiting on one generation ended for one request. */
type WaitOutcome =
	| { readonly kind: 'served'; readonly suggestions: readonly string[]; readonly emptyReason?: EmptyReason }
	| { readonly kind: 'contradicted' }
	| { readonly kind: 'superseded' };

/** A request waiting on a generation, with what it typed since the generation started. */
interface Waiter {
	readonly typed: string;
	/** Wakes the request when the streamed output disagrees with what it typed. */
	readonly contradicted: () => void;
}

interface Generation {
	readonly state: CompletionState;
	readonly prefetch: boolean;
	readonly candidates: number;
	readonly controller: AbortController;
	readonly alternatives: AbortController;
	readonly result: Promise<BackendCompletionResult>;
	readonly startedAt: number;
	streamed: string;
	readonly waiters: Set<Waiter>;
	grace: NodeJS.Timeout | undefined;
}

const defaultGraceMs = 200;

/**
 * In-flight generations outlive the request that started them: a request that continues one (see
 * {@link typedSince}) whose output so far agrees with (or has not yet reached) the typed characters
 * joins it and is served the rest; if the output later disagrees, it stops waiting. Any other
 * request aborts them at once, and a generation nobody waits for is aborted after a short grace
 * period, so no work is done that nobody wants.
 */
export class InflightCompletions implements Disposable {
	private readonly generations = new Set<Generation>();
	private readonly graceMs: number;

	constructor(private readonly options: InflightCompletionsOptions) {
		this.graceMs = options.graceMs ?? defaultGraceMs;
	}

	/**
	 * Serves a request that needs the model: joins a matching generation that computes at least
	 * `candidates` suggestions, or aborts the others and starts one.
	 */
	async request(state: CompletionState, signal: AbortSignal, { candidates }: { readonly candidates: number }): Promise<InflightAnswer> {
		signal.throwIfAborted();
		const joinable = [...this.generations].find(generation => this.continues(generation, state) && generation.candidates >= candidates);
		if (joinable) {
			// Whatever else runs is for a state this request has left behind.
			for (const generation of this.generations) {
				if (generation !== joinable) {
					this.abort(generation);
				}
			}
			const outcome = await this.wait(joinable, state, signal);
			// Nothing to suggest for this very state is an answer too; only a contradicted guess needs a generation of our own.
			const sameState = state.before === joinable.state.before;
			if (outcome.kind === 'served' && (outcome.suggestions.length > 0 || sameState)) {
				return { ...outcome, joined: true, prefetched: joinable.prefetch };
			}
			if (outcome.kind === 'superseded' && sameState) {
				return outcome;
			}
		}
		this.abortAll();
		const outcome = await this.wait(this.start(state, false, candidates), state, signal);
		// A generation of its own started from this very state: nothing typed since can contradict it.
		return outcome.kind === 'served' ? { ...outcome, joined: false, prefetched: false } : { kind: 'superseded' };
	}

	/** Starts a generation nobody waits for yet, unless one for that state runs; any real request that does not continue it aborts it. */
	prefetch(state: CompletionState): void {
		if (![...this.generations].some(generation => this.continues(generation, state))) {
			this.start(state, true, 1);
		}
	}

	/** Whether a generation is running (for tests and the log). */
	get size(): number {
		return this.generations.size;
	}

	abortAll(): void {
		for (const generation of this.generations) {
			this.abort(generation);
		}
	}

	[Symbol.dispose](): void {
		this.abortAll();
	}

	/** Whether a request continues a generation: its state continues the generation's, and the output so far agrees with the typed text. */
	private continues(generation: Generation, state: CompletionState): boolean {
		const typed = typedSince(generation.state, state);
		return typed !== undefined && agrees(generation.streamed, typed, { streaming: true });
	}

	private start(state: CompletionState, prefetch: boolean, candidates: number): Generation {
		const controller = new AbortController();
		const alternatives = new AbortController();
		const generation: Generation = {
			state, prefetch, candidates, controller, alternatives, startedAt: performance.now(), streamed: '', waiters: new Set(), grace: undefined,
			result: this.options.start(state, {
				signal: controller.signal,
				alternativesSignal: alternatives.signal,
				onText: text => {
					generation.streamed = text;
					for (const waiter of generation.waiters) {
						if (!agrees(text, waiter.typed, { streaming: true })) {
							waiter.contradicted();
						}
					}
				},
				prefetch,
				candidates,
			}),
		};
		this.generations.add(generation);
		generation.result.then(
			result => {
				this.forget(generation);
				this.options.onSettled?.({ state, result, prefetch, candidates, startedAt: generation.startedAt });
			},
			() => this.forget(generation),
		);
		return generation;
	}

	/** Waits for a generation on behalf of one request; a cancelled request leaves it to the grace period. */
	private async wait(generation: Generation, state: CompletionState, signal: AbortSignal): Promise<WaitOutcome> {
		const typed = state.before.slice(generation.state.before.length);
		let contradicted: (() => void) | undefined;
		const contradiction = new Promise<'contradicted'>(resolve => { contradicted = () => resolve('contradicted'); });
		const waiter: Waiter = { typed, contradicted: contradicted! };
		generation.waiters.add(waiter);
		clearTimeout(generation.grace);
		generation.grace = undefined;
		let onAbort: (() => void) | undefined;
		try {
			const result = await Promise.race([
				generation.result,
				contradiction,
				new Promise<never>((_, reject) => {
					onAbort = () => reject(signal.reason);
					signal.addEventListener('abort', onAbort, { once: true });
				}),
			]);
			if (result === 'contradicted') {
				return { kind: 'contradicted' };
			}
			const suggestions = restAfterTyped([result.text, ...result.alternatives], typed);
			return { kind: 'served', suggestions, emptyReason: suggestions.length === 0 ? result.emptyReason : undefined };
		} catch (error) {
			// Aborted because a later request did not continue it: this request is answered with nothing.
			if (!signal.aborted && generation.controller.signal.aborted) {
				return { kind: 'superseded' };
			}
			throw error;
		} finally {
			signal.removeEventListener('abort', onAbort!);
			generation.waiters.delete(waiter);
			if (generation.waiters.size === 0 && this.generations.has(generation)) {
				// Nobody wants more suggestions than the first now; a continuing request may still come.
				generation.alternatives.abort();
				generation.grace = setTimeout(() => this.abort(generation), this.graceMs);
			}
		}
	}

	private abort(generation: Generation): void {
		clearTimeout(generation.grace);
		generation.controller.abort();
		this.forget(generation);
	}

	private forget(generation: Generation): void {
		clearTimeout(generation.grace);
		this.generations.delete(generation);
	}
}
