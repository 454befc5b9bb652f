import type { Token } from 'node-llama-cpp';
import type { FimTokenizer } from '../fim/buildFimPrompt';
import type { RemoteServerKind } from '../../shared/protocol';
import { isRecord } from './jsonShape';
import type { RemoteHttp } from './RemoteHttp';
import { unreadableAnswerError } from './remoteErrors';

export interface TokenizeOptions {
	/** Special-token strings in the text become their tokens (llama-server only; vLLM always parses them). Defaults to `false`. */
	readonly parseSpecial?: boolean;
	/** Adds the model's BOS as the server would for a prompt. Defaults to `false`. */
	readonly addSpecial?: boolean;
	readonly signal?: AbortSignal;
}

/** The server's `/tokenize` for `model` (llama-server's and vLLM's request shapes differ). */
export async function tokenizeOnServer(http: RemoteHttp, kind: RemoteServerKind, model: string, text: string, { parseSpecial = false, addSpecial = false, signal }: TokenizeOptions = {}): Promise<Token[]> {
	const body = kind === 'llama-server'
		? { content: text, add_special: addSpecial, parse_special: parseSpecial }
		: { model, prompt: text, add_special_tokens: addSpecial };
	const answer = await http.postJson('/tokenize', body, { base: 'root', timeoutMs: tokenizeTimeoutMs, model, modelSetting: 'bora.remote.completionModel', ...(signal ? { signal } : {}) });
	const tokens = isRecord(answer) && Array.isArray(answer.tokens) ? answer.tokens : undefined;
	if (!tokens || !tokens.every(token => typeof token === 'number' || (isRecord(token) && typeof token.id === 'number'))) {
		throw unreadableAnswerError({ host: http.url.host, path: '/tokenize', hasApiKey: http.hasApiKey }, 'no token list');
	}
	return tokens.map(token => (typeof token === 'number' ? token : (token as { id: number }).id) as Token);
}

const tokenizeTimeoutMs = 5000;
/** Texts kept tokenized: the file around the cursor, the extra-context chunks, the file names. */
const cacheEntries = 256;

/**
 * The {@link FimTokenizer} that the prompt builder calls synchronously, over the server's
 * `/tokenize`: a text it has not seen yet comes back empty and is remembered as missing; {@link fill}
 * then asks the server for every missing one at once, and the prompt is built again. The text before
 * the cursor line, the suffix and the chunks stay the same keystroke after keystroke, so a keystroke
 * usually costs one short `/tokenize` of the cursor line.
 */
export class RemoteTokenizer implements FimTokenizer {
	private readonly cache = new Map<string, readonly Token[]>();
	private readonly missing = new Map<string, { readonly text: string; readonly trim: boolean }>();
	readonly tokens: { readonly bos: Token | null };

	constructor(private readonly tokenizeText: (text: string, signal: AbortSignal | undefined) => Promise<Token[]>, bos: Token | null, private readonly newline: readonly Token[]) {
		this.tokens = { bos };
	}

	/** Whether the last prompt built asked for a text it did not have. */
	get hasMissing(): boolean {
		return this.missing.size > 0;
	}

	tokenize(text: string, _specialTokens?: boolean, options?: 'trimLeadingSpace'): Token[] {
		const trim = options === 'trimLeadingSpace';
		const key = `${trim ? 't' : 'p'}\u0000${text}`;
		const cached = this.cache.get(key);
		if (cached) {
			// Most recently used last, so the oldest goes first when the cache is full.
			this.cache.delete(key);
			this.cache.set(key, cached);
			return [...cached];
		}
		if (text !== '') {
			this.missing.set(key, { text, trim });
		}
		return [];
	}

	/** Tokenizes every missing text on the server, in parallel. */
	async fill(signal: AbortSignal | undefined): Promise<void> {
		const wanted = [...this.missing.entries()];
		this.missing.clear();
		await Promise.all(wanted.map(async ([key, { text, trim }]) => {
			const tokens = trim ? this.withoutNewline(await this.tokenizeText(`\n${text}`, signal)) : await this.tokenizeText(text, signal);
			this.cache.set(key, tokens);
		}));
		while (this.cache.size > cacheEntries) {
			this.cache.delete(this.cache.keys().next().value!);
		}
	}

	/**
	 * As node-llama-cpp's `trimLeadingSpace`: the text tokenized after a newline (so a SentencePiece
	 * vocabulary adds no space in front), the newline's tokens dropped.
	 */
	private withoutNewline(tokens: readonly Token[]): Token[] {
		const starts = this.newline.length > 0 && this.newline.every((token, index) => tokens[index] === token);
		return starts ? tokens.slice(this.newline.length) : [...tokens];
	}
}

/**
 * The text-prompt stand-in for servers without `/tokenize`: each text becomes one placeholder
 * "token" that {@link render} turns back into the text, so the same prompt builder lays out a text
 * prompt (the server parses the special-token strings in it).
 */
export class TextPieces implements FimTokenizer {
	private readonly pieces: string[] = [];
	readonly tokens = { bos: null };

	constructor(private readonly markers: ReadonlyMap<Token, string>) {}

	tokenize(text: string): Token[] {
		this.pieces.push(text);
		return [(textPieceBase + this.pieces.length - 1) as Token];
	}

	render(tokens: readonly Token[]): string {
		return tokens.map(token => this.markers.get(token) ?? this.pieces[token - textPieceBase] ?? '').join('');
	}
}

/** Placeholder ids of text pieces start here; marker placeholders sit below it. */
export const textPieceBase = 1 << 30;
