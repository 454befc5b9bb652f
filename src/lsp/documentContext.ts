import type { Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export interface FimText {
	readonly prefix: string;
	readonly suffix: string;
}

export interface DocumentContextOptions {
	/** Lines above the cursor to include. Defaults to `256`. */
	readonly linesBefore?: number;
	/** Lines below the cursor to include. Defaults to `64`. */
	readonly linesAfter?: number;
}

/**
 * The text around the cursor that the FIM prompt sees. Bounded by lines before any tokenizing, so a
 * huge file costs no more per keystroke than a small one.
 */
export function fimTextAt(document: TextDocument, position: Position, { linesBefore = 256, linesAfter = 64 }: DocumentContextOptions = {}): FimText {
	const firstLine = Math.max(0, position.line - linesBefore);
	const lastLine = Math.min(document.lineCount, position.line + linesAfter + 1);
	return {
		prefix: document.getText({ start: { line: firstLine, character: 0 }, end: position }),
		suffix: document.getText({ start: position, end: { line: lastLine, character: 0 } }),
	};
}
