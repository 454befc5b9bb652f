/** The draft after a mention was picked, and where the caret goes. */
export interface MentionEdit {
	readonly value: string;
	readonly caret: number;
}

/**
 * Puts the picked file where the user typed `@`: the `@` at `at` and whatever was typed after it up
 * to the caret (a query typed before the picker opened) become `@path `. When that `@` is no longer
 * there (edited meanwhile), the reference goes in at the caret instead, so it is never lost.
 */
export function insertMention(value: string, at: number | undefined, caret: number, path: string): MentionEdit {
	const reference = `@${path}`;
	const query = at === undefined ? undefined : /^@\S*/.exec(value.slice(at, Math.max(caret, at + 1)));
	const [start, end] = query && value[at!] === '@' ? [at!, at! + query[0].length] : [caret, caret];
	// One space after the reference, unless one already follows.
	const after = value.slice(end);
	const separator = /^\s/.test(after) ? '' : ' ';
	const inserted = reference + separator;
	return { value: value.slice(0, start) + inserted + after, caret: start + inserted.length + (separator === '' ? 1 : 0) };
}

/** The draft without the `@path` reference, for when its chip is removed. Other text is kept. */
export function removeMention(value: string, path: string): string {
	const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return value.replace(new RegExp(`(^|\\s)@${escaped}(?=\\s|$) ?`, 'g'), '$1');
}
