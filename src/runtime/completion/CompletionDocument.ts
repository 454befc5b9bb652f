/** The slice of a text document the completion service reads; an LSP `TextDocument` satisfies it. */
export interface CompletionDocument {
	readonly uri: string;
	/** Tells which imports the document has (`javascript`, `typescript`, `python`…). */
	readonly languageId: string;
	/** Goes up with every change, so a suggestion computed for an older version is known to be stale. */
	readonly version: number;
	getText(): string;
	/** The offset of an LSP position, clamped to the text (line endings `\n`, `\r\n` or `\r`). */
	offsetAt(position: { readonly line: number; readonly character: number }): number;
}

/** The documents the editor has open, by URI; the LSP server's `TextDocuments` satisfies it. */
export interface CompletionDocuments {
	get(uri: string): CompletionDocument | undefined;
}
