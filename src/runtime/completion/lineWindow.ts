export interface LineWindow {
	readonly prefix: string;
	readonly suffix: string;
}

export interface LineWindowOptions {
	/** Lines above the cursor to include. Defaults to `256`. */
	readonly linesBefore?: number;
	/** Lines below the cursor to include. Defaults to `64`. */
	readonly linesAfter?: number;
	/**
	 * Round the first line down to a multiple of this, so the prompt's beginning stays put while the
	 * user types new lines and the KV cache for it can be reused; the window then holds up to
	 * `linesBefore + alignFirstLine - 1` lines. Defaults to `1` (no rounding).
	 */
	readonly alignFirstLine?: number;
}

/** Line breaks as editors count them: `\r\n`, `\n` or a lone `\r`. */
const lineBreak = /\r\n|\n|\r/g;

/**
 * The text around the cursor that the prompt sees, from the whole text on both sides of it. Bounded
 * by lines before any tokenizing, so a huge file costs no more per keystroke than a small one.
 */
export function lineWindow(before: string, after: string, { linesBefore = 256, linesAfter = 64, alignFirstLine = 1 }: LineWindowOptions = {}): LineWindow {
	// Where each line above the cursor's starts, the cursor's own line last.
	const lineStarts = [0, ...[...before.matchAll(lineBreak)].map(match => match.index + match[0].length)];
	const cursorLine = lineStarts.length - 1;
	const firstLine = Math.floor(Math.max(0, cursorLine - linesBefore) / alignFirstLine) * alignFirstLine;
	return {
		prefix: before.slice(lineStarts[firstLine]),
		suffix: after.slice(0, endOfLines(after, linesAfter + 1)),
	};
}

/** Where the first `lines` lines of `text` end (after their line break), or its length; reads no further. */
function endOfLines(text: string, lines: number): number {
	let seen = 0;
	for (const match of text.matchAll(lineBreak)) {
		if (++seen === lines) {
			return match.index + match[0].length;
		}
	}
	return text.length;
}

/** Non-whitespace characters right of the cursor on its line. */
export function suffixCharsOnLine(after: string): number {
	const end = after.search(/\r|\n/);
	return (end < 0 ? after : after.slice(0, end)).replace(/\s/g, '').length;
}
