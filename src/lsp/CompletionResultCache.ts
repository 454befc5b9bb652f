/** What the cache knows about one shown suggestion. */
interface Entry {
	readonly uri: string;
	/** The whole document text before the cursor when the suggestion was made. */
	readonly before: string;
	/** The whole document text after the cursor; any change there makes the entry useless. */
	readonly after: string;
	readonly text: string;
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

	remember(uri: string, before: string, after: string, text: string): void {
		if (text.length === 0) {
			return;
		}
		this.forget(entry => entry.uri === uri && entry.before === before && entry.after === after);
		this.entries.push({ uri, before, after, text });
		if (this.entries.length > this.capacity) {
			this.entries.shift();
		}
	}

	/** The rest of a remembered suggestion that the text before the cursor has typed into, if any. */
	lookup(uri: string, before: string, after: string): string | undefined {
		for (let i = this.entries.length - 1; i >= 0; i--) {
			const entry = this.entries[i]!;
			if (entry.uri !== uri || entry.after !== after || !before.startsWith(entry.before)) {
				continue;
			}
			const typed = before.slice(entry.before.length);
			if (typed.length < entry.text.length && entry.text.startsWith(typed)) {
				return entry.text.slice(typed.length);
			}
		}
		return undefined;
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
