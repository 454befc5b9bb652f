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
	/**
	 * Cache-friendly layout for formats that put the suffix after the prefix (Qwen, StarCoder…): only
	 * this many suffix tokens stay between `<fim_suffix>` and `<fim_middle>`, where every keystroke
	 * re-evaluates them; the rest of the suffix moves, as a file chunk of the same path, in front of the
	 * prefix, where typing at the cursor never changes it. Needs the format's file separator token;
	 * ignored for suffix-first formats (already stable) and for formats without one.
	 * Defaults to `undefined`: the whole suffix stays in place.
	 */
	readonly volatileSuffixTokens?: number;
	/**
	 * When the token budget cuts the prefix, cut it in steps of this many tokens, so the prompt's
	 * beginning (and with it the whole KV cache) does not move with every typed token.
	 * Defaults to `1`.
	 */
	readonly trimStep?: number;
	/** Path shown in repo-level file chunks. Defaults to `'file'`. */
	readonly fileName?: string;
	/** Extra context chunks laid out first, oldest (most stable) first; needs the file separator token. Defaults to none. */
	readonly extraContext?: readonly FimContextChunk[];
}

/** One piece of extra context: another file, or a recently edited region. */
export interface FimContextChunk {
	readonly name: string;
	readonly text: string;
}

/**
 * Builds the FIM prompt from token ids. The user's text is tokenized with special-token parsing off,
 * so code that happens to contain `<|endoftext|>` or `[INST]` stays plain text.
 */
export function buildFimPrompt(format: FimFormat, tokenizer: FimTokenizer, input: FimPromptInput): Token[] {
	const { prefix, suffix, maxTextTokens = Infinity, volatileSuffixTokens, trimStep = 1, fileName = 'file', extraContext = [] } = input;
	const separator = format.fileSeparator;
	let prefixTokens = tokenizer.tokenize(prefix, false);
	let suffixTokens = format.trimSuffixLeadingSpace ? tokenizer.tokenize(suffix, false, 'trimLeadingSpace') : tokenizer.tokenize(suffix, false);
	if (prefixTokens.length + suffixTokens.length > maxTextTokens) {
		const suffixBudget = Math.max(maxTextTokens - prefixTokens.length, Math.floor(maxTextTokens / 4));
		suffixTokens = suffixTokens.slice(0, suffixBudget);
		const excess = prefixTokens.length - (maxTextTokens - suffixTokens.length);
		prefixTokens = prefixTokens.slice(Math.max(0, Math.ceil(excess / trimStep) * trimStep));
	}
	const bos = format.prependBos && tokenizer.tokens.bos !== null ? [tokenizer.tokens.bos] : [];
	// Everything before the prefix is stable while the user types at the cursor, so it goes first.
	const stable: Token[] = [];
	if (separator !== undefined) {
		for (const chunk of extraContext) {
			stable.push(separator, ...tokenizer.tokenize(`${chunk.name}\n${chunk.text}`, false));
		}
	}
	if (format.layout === 'prefixSuffixMiddle' && separator !== undefined && volatileSuffixTokens !== undefined && suffixTokens.length > volatileSuffixTokens) {
		const far = suffixTokens.slice(volatileSuffixTokens);
		suffixTokens = suffixTokens.slice(0, volatileSuffixTokens);
		stable.push(separator, ...tokenizer.tokenize(`${fileName}\n`, false), ...far);
	}
	if (stable.length > 0 && separator !== undefined) {
		stable.push(separator, ...tokenizer.tokenize(`${fileName}\n`, false));
	}

	switch (format.layout) {
		case 'suffixPrefix':
			return [...bos, ...stable, format.suffix, ...suffixTokens, format.prefix, ...prefixTokens];
		case 'prefixSuffixMiddle':
			if (format.middle === undefined) {
				throw new Error(`FIM format ${format.name} needs a middle token`);
			}
			return [...bos, ...stable, format.prefix, ...prefixTokens, format.suffix, ...suffixTokens, format.middle];
		default:
			void (format.layout satisfies never);
			throw new Error(`Unknown FIM layout ${String(format.layout)}`);
	}
}
