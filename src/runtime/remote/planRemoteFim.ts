import type { Token } from 'node-llama-cpp';
import { buildFimHead, buildFimPrompt, type FimContextChunk, type FimHead } from '../fim/buildFimPrompt';
import { RuntimeError } from '../errors/RuntimeError';
import { detectFimFormat, fimMarkerSpellings } from '../fim/detectFimFormat';
import type { FimFormat } from '../fim/FimFormat';
import type { Vocabulary } from '../fim/vocabulary';
import type { RuntimeSettings } from '../../shared/types';
import type { Logger } from '../Logger';
import type { RemoteServerFacts } from './probeServer';
import type { RemoteHttp } from './RemoteHttp';
import { RemoteTokenizer, TextPieces, textPieceBase, tokenizeOnServer } from './RemoteTokenizer';

/** How completion prompts go to the remote completion model. */
export type RemoteFimPlan =
	/** The FIM markers are single special tokens on the server: prompts go as token ids, the user's text tokenized with special tokens off. */
	| { readonly kind: 'tokens'; readonly format: FimFormat; readonly tokenizer: RemoteTokenizer; readonly stops: readonly string[] }
	/** The server cannot tell (no `/tokenize`), and `bora.remote.fimFormat` names the format: a text prompt with the marker strings. */
	| { readonly kind: 'text'; readonly format: FimFormat; readonly markers: ReadonlyMap<Token, string>; readonly stops: readonly string[] }
	/** No FIM format: the chat-model completion mode, with why. */
	| { readonly kind: 'chat'; readonly reason: string };

const markerBatch = 3;
/** Failures that mean "not now" rather than "no /tokenize here". */
const transientCodes = new Set<RuntimeError['code']>(['remoteTimeout', 'remoteUnreachable', 'remoteUnauthorized', 'remoteRateLimited']);

export interface PlanRemoteFimOptions {
	readonly http: RemoteHttp;
	readonly facts: RemoteServerFacts;
	readonly model: string;
	readonly setting: RuntimeSettings['remoteFimFormat'];
	readonly logger: Logger;
	readonly signal?: AbortSignal;
}

/**
 * Finds the completion model's FIM format from the server: each family's marker strings go through
 * `/tokenize`, and those that come back as one special token are the model's markers, read by the
 * same detection as a local GGUF's vocabulary. When the server cannot tell, `bora.remote.fimFormat`
 * decides; without it, the chat-model completion mode.
 */
export async function planRemoteFim({ http, facts, model, setting = 'auto', logger, signal }: PlanRemoteFimOptions): Promise<RemoteFimPlan> {
	const tokenize = (text: string, options: { parseSpecial?: boolean; addSpecial?: boolean } = {}) => tokenizeOnServer(http, facts.kind, model, text, { ...options, ...(signal ? { signal } : {}) });
	let unknownReason = 'the server has no /tokenize to ask';
	try {
		const markers = new Map<string, Token>();
		const spellings = [...fimMarkerSpellings()];
		// A few at a time: a shared server should not see a burst of 40 requests from one window.
		for (let start = 0; start < spellings.length; start += markerBatch) {
			await Promise.all(spellings.slice(start, start + markerBatch).map(async spelling => {
				const special = await tokenize(spelling, { parseSpecial: true });
				// llama-server can say whether it is special: the same text with parsing off is several tokens.
				if (special.length === 1 && (facts.kind !== 'llama-server' || (await tokenize(spelling)).length > 1)) {
					markers.set(spelling, special[0]!);
				}
			}));
		}
		const plain = await tokenize('a');
		const withSpecial = await tokenize('a', { addSpecial: true });
		let bos: Token | null = withSpecial.length > plain.length ? withSpecial[0]! : null;
		const detection = detectFimFormat(vocabularyOfMap(markers), { addBos: bos !== null });
		if ('format' in detection) {
			if (detection.format.prependBos && bos === null) {
				const tokens = await tokenize('<s>', { parseSpecial: true });
				bos = tokens.length === 1 ? tokens[0]! : null;
			}
			const names = new Map([...markers].map(([text, id]) => [id, text]));
			const tokenizer = new RemoteTokenizer(text => tokenize(text), bos, await tokenize('\n'));
			return { kind: 'tokens', format: detection.format, tokenizer, stops: stopsOf(detection.format, names) };
		}
		unknownReason = `the model "${model}" has none of the known fill-in-the-middle tokens`;
	} catch (error) {
		signal?.throwIfAborted();
		if (error instanceof RuntimeError && transientCodes.has(error.code)) {
			// The server could not answer now, which says nothing about its format: the probe fails and runs again on the next request.
			throw error;
		}
		logger.info(`Remote engine: /tokenize cannot tell the FIM format (${error instanceof Error ? error.message : String(error)})`);
	}
	if (setting !== 'auto' && setting !== 'chat') {
		return textFimPlan(setting);
	}
	return { kind: 'chat', reason: setting === 'chat' ? 'bora.remote.fimFormat is "chat"' : `${unknownReason}, and bora.remote.fimFormat is "${setting}"` };
}

/** A text-prompt plan for a named format (`bora.remote.fimFormat`), for servers that cannot tokenize. */
export function textFimPlan(name: Exclude<NonNullable<RuntimeSettings['remoteFimFormat']>, 'auto' | 'chat'>): Extract<RemoteFimPlan, { kind: 'text' }> {
	// Plain spellings only: a text prompt carries the marker as the server parses it ("<PRE>", not SentencePiece's "▁<PRE>").
	const spellings = fimMarkerSpellings(name).filter(spelling => !spelling.startsWith('▁'));
	const ids = new Map(spellings.map((spelling, index) => [spelling, (textPieceBase - 1 - index) as Token]));
	const detection = detectFimFormat(vocabularyOfMap(ids), { addBos: false });
	if (!('format' in detection)) {
		throw new Error(`No FIM markers known for ${name}`);
	}
	const names = new Map([...ids].map(([text, id]) => [id, text]));
	return { kind: 'text', format: { ...detection.format, prependBos: false }, markers: names, stops: stopsOf(detection.format, names) };
}

export interface RemoteFimPromptInput {
	readonly prefix: string;
	readonly suffix: string;
	readonly fileName: string;
	readonly extraContext: readonly FimContextChunk[];
	readonly repoName?: string;
	/** The model's context on the server; the prompt leaves room for `maxTokens` in it. Defaults to `4096`. */
	readonly contextLength?: number;
	readonly maxTokens: number;
	readonly signal?: AbortSignal;
}

export interface RemoteFimPrompt {
	/** Token ids, or text with the marker strings. */
	readonly prompt: readonly Token[] | string;
	readonly head: FimHead;
}

/**
 * The local engine's prompt, laid out by the same builder: extra context first (oldest first), the
 * far suffix as a file chunk, then the prefix, the near suffix and the cursor line, so typing at the
 * cursor changes only the prompt's end and the server's prefix cache keeps the rest.
 */
export async function buildRemoteFimPrompt(plan: Exclude<RemoteFimPlan, { kind: 'chat' }>, input: RemoteFimPromptInput): Promise<RemoteFimPrompt> {
	const contextLength = input.contextLength ?? 4096;
	if (plan.kind === 'text') {
		const pieces = new TextPieces(plan.markers);
		const head = buildFimHead(plan.format, pieces, { extraContext: input.extraContext, ...(input.repoName === undefined ? {} : { repoName: input.repoName }) });
		const tokens = buildFimPrompt(plan.format, pieces, { ...layoutOf(input), head });
		return { prompt: pieces.render(tokens), head };
	}
	const { tokenizer } = plan;
	// Each pass asks for the texts the layout needs; a text seen before costs nothing.
	for (let pass = 0; ; pass++) {
		const head = buildFimHead(plan.format, tokenizer, {
			extraContext: input.extraContext, maxTokens: Math.floor(contextLength / 2),
			...(input.repoName === undefined ? {} : { repoName: input.repoName }),
		});
		const prompt = buildFimPrompt(plan.format, tokenizer, {
			...layoutOf(input), head,
			maxTextTokens: Math.max(16, contextLength - input.maxTokens - 8 - head.tokens.length),
			trimStep: 256,
		});
		if (!tokenizer.hasMissing || pass >= 4) {
			return { prompt, head };
		}
		await tokenizer.fill(input.signal);
	}
}

/** The layout options the local engine uses (`CompletionEngine.promptFor`). */
function layoutOf(input: RemoteFimPromptInput) {
	return { prefix: input.prefix, suffix: input.suffix, fileName: input.fileName, volatileSuffixTokens: 32, cursorLineApart: true } as const;
}

function vocabularyOfMap(map: ReadonlyMap<string, Token>): Vocabulary {
	return { find: text => map.get(text), metadataToken: () => undefined };
}

function stopsOf(format: FimFormat, names: ReadonlyMap<Token, string>): string[] {
	return format.stopTokens.map(token => names.get(token)).filter((text): text is string => text !== undefined);
}
