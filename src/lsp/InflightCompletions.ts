import type { CompletionResult } from '../runtime';

/** Where a suggestion is wanted: the whole text on both sides of the cursor. */
export interface CompletionState {
	readonly uri: string;
	readonly before: string;
	readonly after: string;
}

/** What starting a generation gets: its own lifetime, decoupled from the request that asked for it. */
export interface GenerationControl {
	/** Aborted when the generation is no longer wanted by anyone. */
	readonly signal: AbortSignal;
	/** Aborted when nobody waits for the extra suggestions any more; the first may still be joined. */
	readonly alternativesSignal: AbortSignal;
	/** To be called with the first suggestion's raw text as it streams, so later requests can tell whether it still matches. */
	readonly onText: (text: string) => void;
	/** A prefetch: nobody asked for it yet. */
	readonly prefetch: boolean;
	/** Whether the configured extra suggestions are wanted, or the best one alone. */
	readonly alternatives: boolean;
}

/** A generation that ended with a result, for the cache and the stats. */
export interface SettledGeneration {
	readonly state: CompletionState;
	readonly result: CompletionResult;
	readonly prefetch: boolean;
	/** Whether extra suggestions were asked for (the result may still have none). */
	readonly alternatives: boolean;
	readonly startedAt: number;
}

export interface InflightCompletionsOptions {
	/** Runs the model for a state; must honour both signals. */
	readonly start: (state: CompletionState, control: GenerationControl) => Promise<CompletionResult>;
	/** Called once for each generation that ran to its end, whether or not anyone still waited. Defaults to none. */
	readonly onSettled?: (generation: SettledGeneration) => void;
	/**
	 * How long a generation whose requests were all cancelled is kept for a request that continues
	 * it (the editor cancels on each keystroke). Defaults to `200` ms, as Copilot waits.
	 */
	readonly graceMs?: number;
}

/** How a request was served. */
export interface InflightAnswer {
	/** The rest of each suggestion after what was typed since the generation started, best first; empty for none. */
	readonly suggestions: readonly string[];
	/** It continued a generation that was already running (a request's or a prefetch's). */
	readonly joined: boolean;
	readonly prefetched: boolean;
}

/** A request waiting on a generation, with what it typed since the generation started. */
interface Waiter {
	readonly typed: string;
	/** Wakes the request when the streamed output disagrees with what it typed. */
	readonly contradicted: () => void;
}

interface Generation {
	readonly state: CompletionState;
	readonly prefetch: boolean;
	readonly alternativesWanted: boolean;
	readonly controller: AbortController;
	readonly alternatives: AbortController;
	readonly result: Promise<CompletionResult>;
	readonly startedAt: number;
	streamed: string;
	readonly waiters: Set<Waiter>;
	grace: NodeJS.Timeout | undefined;
}

const defaultGraceMs = 200;

/**
 * In-flight generations outlive the request that started them: a request whose text is the old one
 * plus what was typed since, with the same text after the cursor, joins a generation whose output
 * so far agrees with (or has not yet reached) the typed characters, and is served the rest; if
 * the output later disagrees, it stops waiting. Any other request aborts them at once, and a generation nobody waits for is aborted after a short
 * grace period, so no work is done that nobody wants.
 */
export class InflightCompletions implements Disposable {
	private readonly generations = new Set<Generation>();
	private readonly graceMs: number;

	constructor(private readonly options: InflightCompletionsOptions) {
		this.graceMs = options.graceMs ?? defaultGraceMs;
	}

	/**
	 * Serves a request that needs the model: joins a matching generation, or aborts the others and
	 * starts one. A request that wants `alternatives` joins only a generation that computes them.
	 */
	async request(state: CompletionState, signal: AbortSignal, { alternatives = false }: { readonly alternatives?: boolean } = {}): Promise<InflightAnswer> {
		signal.throwIfAborted();
		const joinable = [...this.generations].find(generation => matches(generation, state) && (generation.alternativesWanted || !alternatives));
		if (joinable) {
			// Whatever else runs is for a state this request has left behind.
			for (const generation of this.generations) {
				if (generation !== joinable) {
					this.abort(generation);
				}
			}
			const suggestions = await this.wait(joinable, state, signal);
			// Nothing to suggest for this very state is an answer too; only a contradicted guess needs a generation of our own.
			if (suggestions.length > 0 || state.before === joinable.state.before) {
				return { suggestions, joined: true, prefetched: joinable.prefetch };
			}
		}
		this.abortAll();
		const generation = this.start(state, false, alternatives);
		return { suggestions: await this.wait(generation, state, signal), joined: false, prefetched: false };
	}

	/** Starts a generation nobody waits for yet, unless one for that state runs; any real request that does not continue it aborts it. */
	prefetch(state: CompletionState): void {
		if (![...this.generations].some(generation => matches(generation, state))) {
			this.start(state, true, false);
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

	private start(state: CompletionState, prefetch: boolean, alternativesWanted: boolean): Generation {
		const controller = new AbortController();
		const alternatives = new AbortController();
		const generation: Generation = {
			state, prefetch, alternativesWanted, controller, alternatives, startedAt: performance.now(), streamed: '', waiters: new Set(), grace: undefined,
			result: this.options.start(state, {
				signal: controller.signal,
				alternativesSignal: alternatives.signal,
				onText: text => {
					generation.streamed = text;
					for (const waiter of generation.waiters) {
						if (!agrees(text, waiter.typed)) {
							waiter.contradicted();
						}
					}
				},
				prefetch,
				alternatives: alternativesWanted,
			}),
		};
		this.generations.add(generation);
		generation.result.then(
			result => {
				this.forget(generation);
				this.options.onSettled?.({ state, result, prefetch, alternatives: alternativesWanted, startedAt: generation.startedAt });
			},
			() => this.forget(generation),
		);
		return generation;
	}

	/** Waits for a generation on behalf of one request; a cancelled request leaves it to the grace period. */
	private async wait(generation: Generation, state: CompletionState, signal: AbortSignal): Promise<string[]> {
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
				return [];
			}
			return [result.text, ...result.alternatives]
				.filter(text => text.length > typed.length && text.startsWith(typed))
				.map(text => text.slice(typed.length));
		} catch (error) {
			// Aborted because a later request did not continue it: this request is answered with nothing.
			if (!signal.aborted && generation.controller.signal.aborted) {
				return [];
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

/**
 * Whether a request continues a generation: same document and text after the cursor, the text
 * before extended by typing, and the typed characters agree with the output so far (or go past
 * it, agreeing as far as it goes, as the rest may still come).
 */
function matches(generation: Generation, state: CompletionState): boolean {
	const { uri, before, after } = generation.state;
	if (state.uri !== uri || state.after !== after || !state.before.startsWith(before)) {
		return false;
	}
	return agrees(generation.streamed, state.before.slice(before.length));
}

/** Whether streamed output and typed text agree as far as both go. */
function agrees(streamed: string, typed: string): boolean {
	return streamed.startsWith(typed) || typed.startsWith(streamed);
}
