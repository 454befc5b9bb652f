/** What the cache knows about one shown suggestion. */
interface Entry {
	readonly uri: string;
	/** The whole document text before the cursor when the suggestion was made. */
	readonly before: string;
	/** The whole document text after the cursor; any change there makes the entry useless. */
	readonly after: string;
	/** The suggestions, best first. */
	readonly texts: readonly string[];
	/** Whether extra suggestions were asked for; without them the entry cannot answer a request that wants them. */
	readonly withAlternatives: boolean;
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

	/** Remembers one suggestion, or several best first, and whether more than the best were asked for. */
	remember(uri: string, before: string, after: string, suggestions: string | readonly string[], withAlternatives = false): void {
		const texts = (typeof suggestions === 'string' ? [suggestions] : suggestions).filter(text => text.length > 0);
		if (texts.length === 0) {
			return;
		}
		this.forget(entry => entry.uri === uri && entry.before === before && entry.after === after);
		this.entries.push({ uri, before, after, texts, withAlternatives });
		if (this.entries.length > this.capacity) {
			this.entries.shift();
		}
	}

	/** The rest of the best remembered suggestion that the text before the cursor has typed into, if any. */
	lookup(uri: string, before: string, after: string): string | undefined {
		return this.lookupAll(uri, before, after)[0];
	}

	/**
	 * The rest of every suggestion of the newest entry the text before the cursor has typed into, best
	 * first; with `alternatives`, only from an entry for which extra suggestions were asked.
	 */
	lookupAll(uri: string, before: string, after: string, { alternatives = false }: { readonly alternatives?: boolean } = {}): string[] {
		for (let i = this.entries.length - 1; i >= 0; i--) {
			const entry = this.entries[i]!;
			if (entry.uri !== uri || entry.after !== after || !before.startsWith(entry.before) || (alternatives && !entry.withAlternatives)) {
				continue;
			}
			const typed = before.slice(entry.before.length);
			const rest = entry.texts.filter(text => typed.length < text.length && text.startsWith(typed)).map(text => text.slice(typed.length));
			if (rest.length > 0) {
				return rest;
			}
		}
		return [];
	}

	/** Drops a closed document's suggestions. */
	clear(uri: string): void {
		this.forget(entry => entry.uri === uri);
	}

	private forget(matches: (entry: Entry) => boolean): void {
		for (let i = this.entries.length - 1; i >= 0; i--) {
			if (matches(this.entries[i]!)) {
				this.entries.splice(i, 1);
			}
		}
	}
}
