/*
 * Typed-through matching, written once for the suggestion cache and the generations in flight:
 * whether a request's text continues an earlier one, and whether what was typed since agrees with a
 * suggestion (finished) or with a generation's output so far (still streaming).
 */

/**
 * Where a suggestion is wanted: the text on both sides of the cursor, as far as the prompt can see
 * it (the completion service bounds it with `charWindow`, so a huge line is never compared whole).
 */
export interface CompletionState {
	readonly uri: string;
	readonly before: string;
	readonly after: string;
	/** The cursor's zero-based line in the document, for the log and the stats. */
	readonly line: number;
}

/**
 * What was typed since `origin`, when `state` continues it: the same document and text after the
 * cursor, the text before extended by typing. `undefined` when it does not (any other edit, another
 * document, a diverging keystroke before the cursor).
 */
export function typedSince(origin: CompletionState, state: CompletionState): string | undefined {
	if (state.uri !== origin.uri || state.after !== origin.after || !state.before.startsWith(origin.before)) {
		return undefined;
	}
	return state.before.slice(origin.before.length);
}

/**
 * Whether model output agrees with what was typed since its state. Finished output must go on past
 * the typed characters (a suggestion typed out completely has nothing left to show); output still
 * streaming agrees as far as both go, as the rest may still come.
 */
export function agrees(output: string, typed: string, { streaming }: { readonly streaming: boolean }): boolean {
	return streaming ? output.startsWith(typed) || typed.startsWith(output) : output.length > typed.length && output.startsWith(typed);
}

/** The rest of each finished suggestion after what was typed, for those the typed text agrees with, in order. */
export function restAfterTyped(suggestions: readonly string[], typed: string): string[] {
	return suggestions.filter(text => agrees(text, typed, { streaming: false })).map(text => text.slice(typed.length));
}
