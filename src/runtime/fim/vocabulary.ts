import type { GgufFileInfo, Token } from 'node-llama-cpp';

/** Looks tokens up by their exact text in a GGUF vocabulary, so formats are found from the model itself. */
export interface Vocabulary {
	find(text: string): Token | undefined;
	/** A token id from `tokenizer.ggml.<key>`, when the converter wrote one. */
	metadataToken(key: string): Token | undefined;
}

export function vocabularyOf(fileInfo: GgufFileInfo): Vocabulary {
	const ggml = fileInfo.metadata.tokenizer?.ggml as Record<string, unknown> | undefined;
	const tokens = Array.isArray(ggml?.tokens) ? (ggml.tokens as readonly string[]) : [];
	let index: Map<string, Token> | undefined;
	return {
		find(text) {
			if (!index) {
				// Built lazily and once: a 150k-entry scan per lookup would be wasteful, a map is ~10 ms.
				index = new Map();
				tokens.forEach((value, id) => {
					if (!index!.has(value)) {
						index!.set(value, id as Token);
					}
				});
			}
			return index.get(text);
		},
		metadataToken(key) {
			const value = ggml?.[key];
			return typeof value === 'number' && value >= 0 && value < tokens.length ? (value as Token) : undefined;
		},
	};
}
