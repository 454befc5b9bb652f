import { LlamaText, type ChatWrapper, type LlamaContextSequence, type Token } from 'node-llama-cpp';
import type { GuardedChatWrapper } from '../../chat/templateGuard/GuardedChatWrapper';
import type { CompletionStats } from '../CompletionStats';
import { generateTokens } from '../generateTokens';
import { chatCompletionHistory } from './chatCompletionPrompt';
import { codeFromChatAnswer, trimOverlap } from './codeFromChatAnswer';

export interface ChatModeCompletionInput {
	readonly sequence: LlamaContextSequence;
	/** Resolved from the model's own chat template with reasoning turned off; renders in the template worker. */
	readonly wrapper: GuardedChatWrapper;
	readonly prefix: string;
	readonly suffix: string;
	readonly fileName: string;
	readonly maxTokens: number;
	readonly signal?: AbortSignal;
	readonly onToken?: (token: Token) => void;
	/** Where the code may end (`done` ends generation) and its final form. Defaults to the code as written. */
	readonly ending?: { readonly done: (code: string) => boolean; readonly finish: (code: string) => string };
}

/** The code and what it cost; the engine adds the mode and the (absent) extra context. */
export type ChatModeCompletion = { readonly text: string } & Omit<CompletionStats, 'mode' | 'extraContextTokens' | 'extraContextChunks'>;

/** Prefix characters dropped at a time when the prompt does not fit; large steps keep the prompt's start stable. */
const prefixTrimStep = 1024;

/**
 * Completion with an instruct model that has no FIM tokens: the fixed instruction and the code
 * around the cursor are rendered by the model's chat template, the answer is generated greedily on
 * the completion sequence (prefix reuse as for FIM), and only code is kept. A thought the model
 * opens although reasoning is off is closed at once, as a thought budget of 0 does in chat.
 */
export async function completeWithChatModel(input: ChatModeCompletionInput): Promise<ChatModeCompletion> {
	const { sequence, wrapper, maxTokens, signal, onToken, ending } = input;
	const model = sequence.model;
	const prompt = await fittedPrompt(input);
	const detokenize = (tokens: readonly Token[], context: readonly Token[]) => model.detokenize(tokens, false, context);
	const ends = (tokens: readonly Token[], context: readonly Token[]) => {
		const { code, closed } = codeFromChatAnswer(detokenize(tokens, context));
		// A first line ending in ":" may introduce a fenced block ("Here is the code:"): wait for what follows.
		return closed || (!/:\s*$/.test(code.split('\n')[0]!) && (ending?.done(code) ?? false));
	};

	const thought = thoughtMarkers(wrapper);
	let current = prompt;
	let generated = await generateTokens({
		sequence, prompt: current, stopTokens: new Set(), maxTokens, signal, onToken,
		shouldStop: tokens => (thought !== undefined && tokens.length <= 8 && model.detokenize(tokens, true).trim() === thought.open)
			|| ends(tokens, current),
	});
	const cachedPromptTokens = generated.cachedPromptTokens;
	let promptMs = generated.promptMs;
	let generationMs = generated.generationMs;
	let generatedTokens = generated.tokens.length;
	if (thought !== undefined && generated.stopReason === 'stopText' && model.detokenize(generated.tokens, true).trim() === thought.open) {
		current = [...prompt, ...generated.tokens, ...thought.close.tokenize(model.tokenizer, 'trimLeadingSpace')];
		generated = await generateTokens({
			sequence, prompt: current, stopTokens: new Set(), maxTokens: Math.max(1, maxTokens - generatedTokens), signal, onToken,
			shouldStop: tokens => ends(tokens, current),
		});
		promptMs += generated.promptMs;
		generationMs += generated.generationMs;
		generatedTokens += generated.tokens.length;
	}
	const { code } = codeFromChatAnswer(detokenize(generated.tokens, current));
	const linePrefix = input.prefix.slice(input.prefix.lastIndexOf('\n') + 1);
	// An answer's first word carries a SentencePiece space; at a line start or after a space it is not code.
	const answer = linePrefix === '' || /\s$/.test(linePrefix) ? code.replace(/^ /, '') : code;
	const trimmed = trimOverlap(answer, { linePrefix, suffix: input.suffix });
	return {
		text: ending ? ending.finish(trimmed) : trimmed,
		promptTokens: current.length,
		cachedPromptTokens,
		generatedTokens,
		promptMs,
		generationMs,
		stopReason: generated.stopReason,
	};
}

/** The rendered prompt, with the start of the prefix cut in large steps until it fits the context. */
async function fittedPrompt({ sequence, wrapper, prefix, suffix, fileName, maxTokens, signal }: ChatModeCompletionInput): Promise<Token[]> {
	const room = sequence.contextSize - maxTokens - 8;
	const render = async (before: string, after: string) => (await wrapper
		.render({ chatHistory: chatCompletionHistory({ prefix: before, suffix: after, fileName }) }))
		.contextText.tokenize(sequence.model.tokenizer);
	let before = prefix;
	let after = suffix;
	for (;;) {
		const tokens = await render(before, after);
		signal?.throwIfAborted();
		if (tokens.length <= room || (before.length === 0 && after.length === 0)) {
			return tokens;
		}
		if (before.length > 0) {
			const cut = before.indexOf('\n', prefixTrimStep);
			before = cut < 0 ? before.slice(Math.min(before.length, prefixTrimStep)) : before.slice(cut + 1);
		} else {
			after = after.slice(0, Math.floor(after.length / 2));
		}
	}
}

/** The thought markers of the model's template, when it has a thought segment it opens by writing a marker. */
function thoughtMarkers(wrapper: ChatWrapper): { open: string; close: LlamaText } | undefined {
	const thought = wrapper.settings.segments?.thought;
	if (!thought || typeof thought.prefix === 'object' && 'type' in thought.prefix || thought.suffix === undefined) {
		return undefined;
	}
	const open = LlamaText(thought.prefix).toString().trim();
	return open ? { open, close: LlamaText(thought.suffix) } : undefined;
}
