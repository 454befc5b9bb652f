import type { Position } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

export interface FimText {
	readonly prefix: string;
	readonly suffix: string;
}

export interface DocumentContextOptions {
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

/**
 * The text around the cursor that the FIM prompt sees. Bounded by lines before any tokenizing, so a
 * huge file costs no more per keystroke than a small one.
 */
export function fimTextAt(document: TextDocument, position: Position, { linesBefore = 256, linesAfter = 64, alignFirstLine = 1 }: DocumentContextOptions = {}): FimText {
	const firstLine = Math.floor(Math.max(0, position.line - linesBefore) / alignFirstLine) * alignFirstLine;
	const lastLine = Math.min(document.lineCount, position.line + linesAfter + 1);
	return {
		prefix: document.getText({ start: { line: firstLine, character: 0 }, end: position }),
		suffix: document.getText({ start: position, end: { line: lastLine, character: 0 } }),
	};
}

/** {@link fimTextAt} for a text that need not be an open document, such as the state after accepting a suggestion. */
export function fimTextAround(before: string, after: string, options: DocumentContextOptions = {}): FimText {
	const document = TextDocument.create('bora:text', 'plaintext', 0, before + after);
	return fimTextAt(document, document.positionAt(before.length), options);
}
