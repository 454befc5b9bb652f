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
	 * The cursor line's text before the cursor is tokenized apart from the rest of the prefix, which
	 * then stays the same text (and, through a caching tokenizer, the same tokens) while the user
	 * types on the line. Formats with a middle marker (Qwen, StarCoder, CodeLlama…) also put it after
	 * the marker, as the start of the middle, as llama.cpp's /infill lays out its `prompt`: typing on a
	 * line then changes only the prompt's last tokens, and the suffix before them stays cached.
	 * Suffix-first formats keep it at the prefix's end, where it is already last.
	 * Defaults to `false`: the prefix is tokenized whole, between the prefix and suffix markers.
	 */
	readonly cursorLineApart?: boolean;
	/**
	 * When the token budget cuts the prefix, cut it in steps of this many tokens, so the prompt's
	 * beginning (and with it the whole KV cache) does not move with every typed token.
	 * Defaults to `1`.
	 */
	readonly trimStep?: number;
	/**
	 * Most tokens after the head: the prefix alone is cut further from its start (in `trimStep`
	 * steps, never into the cursor line) until the rest fits, while everything before the prefix
	 * (the head, the far suffix, the suffix of suffix-first formats) stays as the uncut prompt has
	 * it. So a prompt cut this way and the uncut one share their beginning up to the prefix, and
	 * the uncut one, evaluated after it, re-evaluates only the prefix. Defaults to no limit.
	 */
	readonly maxBodyTokens?: number;
	/** Path shown in repo-level file chunks. Defaults to `'file'`. */
	readonly fileName?: string;
	/** Extra context chunks laid out first, oldest (most stable) first. Defaults to none. */
	readonly extraContext?: readonly FimContextChunk[];
	/** Shown after the format's repo-name token (Qwen `<|repo_name|>`) when there is extra context. Defaults to none. */
	readonly repoName?: string;
	/** The prompt's head, already built by {@link buildFimHead} from the same input; built here when absent. */
	readonly head?: FimHead;
}

export interface FimHeadInput {
	readonly extraContext?: readonly FimContextChunk[];
	readonly repoName?: string;
	/** Most tokens the extra context may take; the oldest chunks are left out first. Defaults to no limit. */
	readonly maxTokens?: number;
	/** Tokens of chunks tokenized before (the same chunk objects come back request after request). Defaults to none. */
	readonly chunkTokens?: WeakMap<FimContextChunk, readonly Token[]>;
}

/** The prompt's stable beginning: BOS and the extra context, identical in every prompt of the same context. */
export interface FimHead {
	readonly tokens: readonly Token[];
	/** Tokens of extra context in it (BOS excluded); 0 without. */
	readonly contextTokens: number;
	/** Chunks laid out: the newest that fit the token limit. */
	readonly chunks: number;
}

/** One piece of extra context: another file, or a recently edited region. */
export interface FimContextChunk {
	readonly name: string;
	readonly text: string;
}

/**
 * Separates chunks in formats without a file separator token (Mistral, CodeLlama, DeepSeek), as
 * llama.cpp's server does for `input_extra`: plain text the model reads as a listing of snippets.
 */
export const snippetSeparator = '\n\n--- snippet ---\n\n';

/**
 * The stable head every prompt of this context starts with: BOS, then the extra context, oldest
 * first. With a file separator (Qwen, StarCoder) it is the family's repo-level format,
 * `<|repo_name|>name\n<|file_sep|>path\ntext…`; without one the chunks are plain text behind
 * {@link snippetSeparator}. Always first, so MLA models, which cannot shift their KV cache, still
 * reuse it as a pure prefix, and it can be evaluated ahead of a request.
 */
export function buildFimHead(format: FimFormat, tokenizer: FimTokenizer, { extraContext = [], repoName, maxTokens = Infinity, chunkTokens }: FimHeadInput): FimHead {
	const bos = format.prependBos && tokenizer.tokens.bos !== null ? [tokenizer.tokens.bos] : [];
	const separator = format.fileSeparator;
	const separatorTokens = separator === undefined ? tokenizer.tokenize(snippetSeparator, false) : [separator];
	const bodyOf = (chunk: FimContextChunk) => {
		let body = chunkTokens?.get(chunk);
		if (!body) {
			body = tokenizer.tokenize(separator === undefined ? chunk.text : `${chunk.name}\n${chunk.text}`, false);
			chunkTokens?.set(chunk, body);
		}
		return body;
	};
	const repo = repoName !== undefined && format.repoName !== undefined && separator !== undefined
		? [format.repoName, ...tokenizer.tokenize(`${repoName}\n`, false)]
		: [];
	// The newest chunks that fit; a chunk left out leaves out every older one too, so the head stays one block.
	const laidOut: (readonly Token[])[] = [];
	let used = repo.length;
	for (let i = extraContext.length - 1; i >= 0; i--) {
		const body = bodyOf(extraContext[i]!);
		if (used + separatorTokens.length + body.length > maxTokens) {
			break;
		}
		used += separatorTokens.length + body.length;
		laidOut.unshift(body);
	}
	if (laidOut.length === 0) {
		return { tokens: bos, contextTokens: 0, chunks: 0 };
	}
	const tokens = [...bos, ...repo];
	for (const body of laidOut) {
		tokens.push(...separatorTokens, ...body);
	}
	return { tokens, contextTokens: tokens.length - bos.length, chunks: laidOut.length };
}

/**
 * Builds the FIM prompt from token ids: the {@link buildFimHead head}, then the file. The user's
 * text is tokenized with special-token parsing off, so code that happens to contain
 * `<|endoftext|>` or `[INST]` stays plain text.
 */
export function buildFimPrompt(format: FimFormat, tokenizer: FimTokenizer, input: FimPromptInput): Token[] {
	const { prefix, suffix, maxTextTokens = Infinity, maxBodyTokens = Infinity, volatileSuffixTokens, cursorLineApart = false, trimStep = 1, fileName = 'file' } = input;
	const separator = format.fileSeparator;
	// A cursor line tokenized apart is trimmed with the prefix, as its end; `lineStart` says where it
	// starts in `prefixTokens`. Where it stays at the prefix's end, it is split off only after a
	// newline, so the prompt's tokens are what tokenizing the prefix whole gives.
	const afterNewline = prefix.lastIndexOf('\n') + 1;
	const lineStartOffset = !cursorLineApart || (format.layout === 'suffixPrefix' && afterNewline === 0) ? prefix.length : afterNewline;
	let prefixTokens = tokenizer.tokenize(prefix.slice(0, lineStartOffset), false);
	let lineStart = prefixTokens.length;
	if (lineStartOffset < prefix.length) {
		// Tokenized as text after a newline (node-llama-cpp tokenizes "\n" + text and drops the
		// newline), which is what it follows in the file, so SentencePiece adds no space in front.
		prefixTokens.push(...tokenizer.tokenize(prefix.slice(lineStartOffset), false, 'trimLeadingSpace'));
	}
	let suffixTokens = format.trimSuffixLeadingSpace ? tokenizer.tokenize(suffix, false, 'trimLeadingSpace') : tokenizer.tokenize(suffix, false);
	if (prefixTokens.length + suffixTokens.length > maxTextTokens) {
		const suffixBudget = Math.max(maxTextTokens - prefixTokens.length, Math.floor(maxTextTokens / 4));
		suffixTokens = suffixTokens.slice(0, suffixBudget);
		const excess = prefixTokens.length - (maxTextTokens - suffixTokens.length);
		const cut = Math.max(0, Math.ceil(excess / trimStep) * trimStep);
		prefixTokens = prefixTokens.slice(cut);
		lineStart = Math.max(0, lineStart - cut);
	}
	const head = input.head ?? buildFimHead(format, tokenizer, input);
	// Everything before the prefix is stable while the user types at the cursor, so it goes first.
	const stable: Token[] = [];
	if (format.layout === 'prefixSuffixMiddle' && separator !== undefined && volatileSuffixTokens !== undefined && suffixTokens.length > volatileSuffixTokens) {
		const far = suffixTokens.slice(volatileSuffixTokens);
		suffixTokens = suffixTokens.slice(0, volatileSuffixTokens);
		stable.push(separator, ...tokenizer.tokenize(`${fileName}\n`, false), ...far);
	}
	if ((stable.length > 0 || head.chunks > 0) && separator !== undefined) {
		stable.push(separator, ...tokenizer.tokenize(`${fileName}\n`, false));
	}
	const markers = format.layout === 'suffixPrefix' ? 2 : 3;
	const bodyExcess = stable.length + markers + suffixTokens.length + prefixTokens.length - maxBodyTokens;
	if (bodyExcess > 0) {
		// The cursor line stays whole: a suggestion needs it more than it needs fitting the budget.
		// Where it was not tokenized apart, its tokens are counted apart (they may differ by a merge at its start: close enough for a bound).
		const lineTokens = lineStartOffset < prefix.length ? prefixTokens.length - lineStart : tokenizer.tokenize(prefix.slice(afterNewline), false, 'trimLeadingSpace').length;
		const cut = Math.min(Math.max(0, prefixTokens.length - lineTokens), Math.ceil(bodyExcess / trimStep) * trimStep);
		prefixTokens = prefixTokens.slice(cut);
		lineStart -= cut;
	}

	switch (format.layout) {
		// The cursor line is the prefix's end either way.
		case 'suffixPrefix':
			return [...head.tokens, ...stable, format.suffix, ...suffixTokens, format.prefix, ...prefixTokens];
		case 'prefixSuffixMiddle':
			if (format.middle === undefined) {
				throw new Error(`FIM format ${format.name} needs a middle token`);
			}
			return [
				...head.tokens, ...stable, format.prefix, ...prefixTokens.slice(0, lineStart),
				format.suffix, ...suffixTokens, format.middle, ...prefixTokens.slice(lineStart),
			];
		default:
			void (format.layout satisfies never);
			throw new Error(`Unknown FIM layout ${String(format.layout)}`);
	}
}
