import type { Token } from 'node-llama-cpp';
import type { FimFormat } from './FimFormat';

/** The slice of a model's tokenizer that prompt building needs; a loaded `LlamaModel` satisfies it. */
export interface FimTokenizer {
	tokenize(text: string, specialTokens?: boolean, options?: 'trimLeadingSpace'): Token[];
	readonly tokens: { readonly bos: Token | null };
}

export interface FimPromptInput {
	readonly prefix: string;
	readonly suffix: string;
	/**
	 * Most tokens the prefix and suffix may take together. The text nearest the cursor is kept: the
	 * prefix gets three quarters, as llama-server's /infill does, and the suffix the rest.
	 * Defaults to no limit.
	 */
	readonly maxTextTokens?: number;
}

/**
 * Builds the FIM prompt from token ids. The user's text is tokenized with special-token parsing off,
 * so code that happens to contain `<|endoftext|>` or `[INST]` stays plain text.
 */
export function buildFimPrompt(format: FimFormat, tokenizer: FimTokenizer, { prefix, suffix, maxTextTokens = Infinity }: FimPromptInput): Token[] {
	let prefixTokens = tokenizer.tokenize(prefix, false);
	let suffixTokens = format.trimSuffixLeadingSpace ? tokenizer.tokenize(suffix, false, 'trimLeadingSpace') : tokenizer.tokenize(suffix, false);
	if (prefixTokens.length + suffixTokens.length > maxTextTokens) {
		const suffixBudget = Math.max(maxTextTokens - prefixTokens.length, Math.floor(maxTextTokens / 4));
		suffixTokens = suffixTokens.slice(0, suffixBudget);
		prefixTokens = prefixTokens.slice(Math.max(0, prefixTokens.length - (maxTextTokens - suffixTokens.length)));
	}
	const bos = format.prependBos && tokenizer.tokens.bos !== null ? [tokenizer.tokens.bos] : [];

	switch (format.layout) {
		case 'suffixPrefix':
			return [...bos, format.suffix, ...suffixTokens, format.prefix, ...prefixTokens];
		case 'prefixSuffixMiddle':
			if (format.middle === undefined) {
				throw new Error(`FIM format ${format.name} needs a middle token`);
			}
			return [...bos, format.prefix, ...prefixTokens, format.suffix, ...suffixTokens, format.middle];
		default:
			void (format.layout satisfies never);
			throw new Error(`Unknown FIM layout ${String(format.layout)}`);
	}
}
