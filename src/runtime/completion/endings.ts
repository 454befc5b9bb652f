import type { EmptyReason } from './CompletionBackend';

/** How a suggestion may end, decided from the text around the cursor before generating. */
export interface EndingPlan {
	/** Several lines allowed: the cursor is on an empty line, or at the end of a line that opens a block. */
	readonly multiline: boolean;
	/** A generated line indented less than this (in columns, tab = 4) leaves the cursor's block and ends the suggestion. */
	readonly minIndent: number;
}

const opensBlock = /[{[(:]\s*$|=>\s*$/;

/** Columns of leading whitespace, a tab counting 4. */
export function indentOf(line: string): number {
	let columns = 0;
	for (const char of line) {
		if (char === ' ') {
			columns++;
		} else if (char === '\t') {
			columns += 4;
		} else {
			break;
		}
	}
	return columns;
}

/**
 * Single line mid-line (text on either side of the cursor on its line, as Copilot keeps those
 * short); several lines on an empty line or after a block opener at the end of a line, kept within
 * the cursor's indentation scope.
 */
export function planEnding(prefix: string, suffix: string): EndingPlan {
	const linePrefix = prefix.slice(prefix.lastIndexOf('\n') + 1);
	const newline = suffix.indexOf('\n');
	const lineSuffix = newline < 0 ? suffix : suffix.slice(0, newline);
	if (lineSuffix.trim() !== '' && !/^[)\]}]/.test(lineSuffix.trim())) {
		return { multiline: false, minIndent: 0 };
	}
	if (linePrefix.trim() === '') {
		// An empty line: the block is the cursor's column, or the previous line's block when it opens one.
		const previous = prefix.slice(0, prefix.length - linePrefix.length).trimEnd();
		const previousLine = previous.slice(previous.lastIndexOf('\n') + 1);
		const minIndent = opensBlock.test(previousLine) ? indentOf(previousLine) + 1 : Math.min(indentOf(linePrefix), indentOf(previousLine));
		return { multiline: true, minIndent };
	}
	if (opensBlock.test(linePrefix)) {
		return { multiline: true, minIndent: indentOf(linePrefix) + 1 };
	}
	return { multiline: false, minIndent: 0 };
}

export interface EndingOptions {
	/** After this long, generation ends at the next newline. */
	readonly timeBudgetMs: number;
}

/**
 * The suggestion cut to its plan, and whether generation can stop: the first line alone when
 * single-line, no line that dedents below the block, and the end of the line being written once
 * the time budget is spent.
 */
export function applyEnding(text: string, plan: EndingPlan, elapsedMs: number, { timeBudgetMs }: EndingOptions): { readonly text: string; readonly done: boolean } {
	const lines = text.split('\n');
	if (lines.length === 1) {
		return { text, done: false };
	}
	if (!plan.multiline) {
		const first = lines.findIndex(line => line.trim() !== '');
		return first >= 0 && first < lines.length - 1 ? { text: lines.slice(0, first + 1).join('\n'), done: true } : { text, done: false };
	}
	// The first line continues the cursor's line, so its indentation says nothing about scope; a
	// later line's indentation is known once it has a visible character.
	for (let index = 1; index < lines.length; index++) {
		const line = lines[index]!;
		if (line.trim() !== '' && indentOf(line) < plan.minIndent) {
			return { text: lines.slice(0, index).join('\n').trimEnd(), done: true };
		}
	}
	if (elapsedMs >= timeBudgetMs && lines.slice(0, -1).join('').trim() !== '') {
		return { text: lines.slice(0, -1).join('\n').trimEnd(), done: true };
	}
	return { text, done: false };
}

/**
 * Whether the suggestion only repeats what already follows the cursor: the start of the suffix or
 * its next non-empty line. Such suggestions are dropped.
 */
export function repeatsSuffix(text: string, suffix: string): boolean {
	const suggestion = text.trim();
	if (suggestion === '') {
		return false;
	}
	if (suffix.trimStart().startsWith(suggestion)) {
		return true;
	}
	const firstLine = suggestion.split('\n')[0]!.trim();
	const following = suffix.split('\n').map(line => line.trim()).filter(line => line !== '');
	return following.slice(0, 2).some(line => line === firstLine && firstLine.length > 1);
}

export interface RequestEndingInput {
	readonly prefix: string;
	readonly suffix: string;
	/** After this long generating (from the first token), the suggestion ends at the next newline. Defaults to `1500`. */
	readonly timeBudgetMs?: number;
}

/** Good endings for one generation, and why it ended up empty when it did. */
export interface RequestEnding {
	/** Whether generation can stop after this text. */
	done(text: string): boolean;
	/** The suggestion cut to its ending; `''` when it only repeats the suffix or nothing usable is left. */
	finish(text: string): string;
	/** Why the last {@link finish} returned `''`; `undefined` when it returned text (or has not run). */
	readonly emptyReason: EmptyReason | undefined;
}

/**
 * Good endings for one request: single- or multi-line from the context, lines kept within the
 * cursor's indentation scope, the time budget, and nothing that only repeats the suffix.
 */
export function endingFor({ prefix, suffix, timeBudgetMs = 1500 }: RequestEndingInput): RequestEnding {
	const plan = planEnding(prefix, suffix);
	// The budget counts generation only, from the first token, so a cold prompt does not cut suggestions short.
	let started: number | undefined;
	const elapsed = () => performance.now() - (started ??= performance.now());
	let emptyReason: EmptyReason | undefined;
	return {
		done: text => applyEnding(text, plan, elapsed(), { timeBudgetMs }).done,
		finish: text => {
			const ended = applyEnding(text, plan, elapsed(), { timeBudgetMs }).text;
			const repeated = repeatsSuffix(ended, suffix);
			emptyReason = repeated ? 'repeatsSuffix' : ended === '' ? 'empty' : undefined;
			return repeated ? '' : ended;
		},
		get emptyReason() {
			return emptyReason;
		},
	};
}
