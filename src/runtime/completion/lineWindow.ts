export interface LineWindow {
	readonly prefix: string;
	readonly suffix: string;
}

export interface CharWindowOptions {
	/**
	 * Characters before the cursor kept at most, whatever the lines: a minified bundle or a data
	 * file can be one line of megabytes. Defaults to `16384`.
	 */
	readonly maxCharsBefore?: number;
	/** Characters after the cursor kept at most. Defaults to `4096`. */
	readonly maxCharsAfter?: number;
	/**
	 * Where the text before the cursor is cut, the cut falls on a multiple of this many characters
	 * from the start of the text (or on the first line start after it), so it stays put while the
	 * user types and the prompt's beginning (and its KV cache) with it; the window then holds at
	 * least `maxCharsBefore - alignChars + 1` characters. Defaults to `1024`.
	 */
	readonly alignChars?: number;
}

export interface LineWindowOptions extends CharWindowOptions {
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
 * The text on both sides of the cursor bounded by characters, from the whole text on both sides of
 * it: the first step of {@link lineWindow}, and the state the completion service keys its caches
 * on, so nothing per keystroke reads, copies or compares a whole huge line. Its own result comes
 * back unchanged (it holds at most the maximum already).
 */
export function charWindow(before: string, after: string, { maxCharsBefore = 16_384, maxCharsAfter = 4096, alignChars = 1024 }: CharWindowOptions = {}): { before: string; after: string } {
	let start = 0;
	if (before.length > maxCharsBefore) {
		// Rounded up, so the window never holds more than the maximum.
		start = Math.ceil((before.length - maxCharsBefore) / alignChars) * alignChars;
		// A line start soon after the cut makes a cleaner beginning; looked for within `alignChars` only.
		const lineStart = before.slice(start, Math.min(before.length, start + alignChars)).indexOf('\n');
		if (lineStart >= 0) {
			start += lineStart + 1;
		}
		// Never half a surrogate pair: a lone half tokenizes as garbage.
		if (isLowSurrogate(before.charCodeAt(start))) {
			start++;
		}
	}
	let end = Math.min(after.length, maxCharsAfter);
	if (end < after.length && isHighSurrogate(after.charCodeAt(end - 1))) {
		end--;
	}
	return { before: start === 0 ? before : before.slice(start), after: end === after.length ? after : after.slice(0, end) };
}

/**
 * The text around the cursor that the prompt sees, from the whole text on both sides of it. Bounded
 * by characters ({@link charWindow}), then by lines, before any tokenizing, so a huge file, or a
 * huge line, costs no more per keystroke than a small one.
 */
export function lineWindow(wholeBefore: string, wholeAfter: string, { linesBefore = 256, linesAfter = 64, alignFirstLine = 1, ...chars }: LineWindowOptions = {}): LineWindow {
	const { before, after } = charWindow(wholeBefore, wholeAfter, chars);
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

function isHighSurrogate(code: number): boolean {
	return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
	return code >= 0xdc00 && code <= 0xdfff;
}

/** Non-whitespace characters right of the cursor on its line. */
export function suffixCharsOnLine(after: string): number {
	const end = after.search(/\r|\n/);
	return (end < 0 ? after : after.slice(0, end)).replace(/\s/g, '').length;
}
