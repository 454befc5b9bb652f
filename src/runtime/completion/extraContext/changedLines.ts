import type { LineEdit } from '../ExtraContextRing';

/**
 * The lines an edit changed, from the text before and after it: everything between the common
 * first lines and the common last lines. `undefined` when the lines are the same.
 */
export function changedLines(before: readonly string[], after: readonly string[]): LineEdit | undefined {
	const shorter = Math.min(before.length, after.length);
	let start = 0;
	while (start < shorter && before[start] === after[start]) {
		start++;
	}
	if (start === before.length && start === after.length) {
		return undefined;
	}
	let common = 0;
	while (common < shorter - start && before[before.length - 1 - common] === after[after.length - 1 - common]) {
		common++;
	}
	return { startLine: start, oldEndLine: before.length - common, newEndLine: after.length - common };
}

/**
 * `[start, end)` of at most `maxLines` lines centred on `[startLine, endLine)` of a text with
 * `lineCount` lines, so a chunk shows a change with what surrounds it.
 */
export function windowAround(startLine: number, endLine: number, lineCount: number, maxLines: number): { start: number; end: number } {
	const span = Math.max(1, endLine - startLine);
	if (span >= maxLines) {
		return { start: startLine, end: Math.min(lineCount, startLine + maxLines) };
	}
	const start = Math.max(0, Math.min(startLine - Math.floor((maxLines - span) / 2), lineCount - maxLines));
	return { start, end: Math.min(lineCount, start + maxLines) };
}
