import { restAfterTyped, typedSince, type CompletionState } from './typedThrough';

/** What the cache knows about one shown suggestion. */
interface Entry {
	/** The whole text on both sides of the cursor when the suggestion was made; any change after the cursor makes the entry useless. */
	readonly state: CompletionState;
	/** The suggestions, best first. */
	readonly texts: readonly string[];
	/** Suggestions that were asked for; an entry cannot answer a request that wants more. */
	readonly candidates: number;
}

export interface CompletionResultCacheOptions {
	/** Suggestions remembered in all, oldest dropped first. Defaults to `64`. */
	readonly capacity?: number;
}

/**
 * Typed-through reuse: when the user types the start of a suggestion the model already made, the rest
 * is still the model's answer for the new state, so it is served with no model call. Keys are the
 * full text on both sides of the cursor, so an edit anywhere else in the file can never bring back a
 * stale suggestion.
 */
export class CompletionResultCache {
	private readonly entries: Entry[] = [];
	private readonly capacity: number;

	constructor({ capacity = 64 }: CompletionResultCacheOptions = {}) {
		this.capacity = capacity;
	}

	/** Remembers the suggestions made for a state, best first, and how many were asked for. */
	remember(state: CompletionState, suggestions: readonly string[], candidates: number): void {
		const texts = suggestions.filter(text => text.length > 0);
		if (texts.length === 0) {
			return;
		}
		this.forget(entry => entry.state.uri === state.uri && entry.state.before === state.before && entry.state.after === state.after);
		this.entries.push({ state, texts, candidates });
		if (this.entries.length > this.capacity) {
			this.entries.shift();
		}
	}

	/**
	 * The rest of every suggestion of the newest entry the text before the cursor has typed into, best
	 * first; only from an entry for which at least `candidates` suggestions were asked.
	 */
	lookup(state: CompletionState, { candidates }: { readonly candidates: number }): string[] {
		for (let i = this.entries.length - 1; i >= 0; i--) {
			const entry = this.entries[i]!;
			const typed = entry.candidates >= candidates ? typedSince(entry.state, state) : undefined;
			const rest = typed === undefined ? [] : restAfterTyped(entry.texts, typed);
			if (rest.length > 0) {
				return rest;
			}
		}
		return [];
	}

	/** Drops a closed document's suggestions. */
	clear(uri: string): void {
		this.forget(entry => entry.state.uri === uri);
	}

	private forget(matches: (entry: Entry) => boolean): void {
		for (let i = this.entries.length - 1; i >= 0; i--) {
			if (matches(this.entries[i]!)) {
				this.entries.splice(i, 1);
			}
		}
	}
}
