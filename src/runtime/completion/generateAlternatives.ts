import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from 'node-llama-cpp';
import { generateTokens } from './generateTokens';

export interface GenerateAlternativesOptions {
	/** The sequence that has just generated the first suggestion for `prompt`: its prompt KV state is reused. */
	readonly sequence: LlamaContextSequence;
	readonly prompt: readonly Token[];
	readonly stopTokens: ReadonlySet<Token>;
	/** The first suggestion's first token, so alternatives start elsewhere; none (it ended at once) means no alternatives. */
	readonly first: Token | undefined;
	/** Alternatives wanted; `0` does no work at all. */
	readonly count: number;
	/** Token limit of each alternative. */
	readonly maxTokens: number;
	/** Any of them aborted stops the alternatives; those already made are kept. */
	readonly signals: readonly (AbortSignal | undefined)[];
	readonly textOf: (tokens: readonly Token[]) => string;
	/** A fresh ending per alternative (its own time budget); `finish` may return `''` to drop it. */
	readonly ending: () => { readonly done: (text: string) => boolean; readonly finish: (text: string) => string };
	/** Suggestions already offered; an alternative equal to one of them after trimming is dropped. */
	readonly distinctFrom: readonly string[];
}

/** First tokens tried per alternative wanted, as some lead to empty or duplicate suggestions. */
const triesPerAlternative = 2;
/** First tokens below this probability are not worth a suggestion of their own. */
const minFirstTokenProbability = 0.001;

/**
 * Further suggestions for the same prompt, best first: the next most probable first tokens after the
 * greedy one, each continued greedily. The prompt's KV state stays in the sequence, so each one
 * costs one prompt token plus its own tokens.
 */
export async function generateAlternatives(options: GenerateAlternativesOptions): Promise<string[]> {
	const { sequence, prompt, stopTokens, first, count, maxTokens, signals, textOf, ending, distinctFrom } = options;
	const aborted = () => signals.some(signal => signal?.aborted);
	if (count <= 0 || first === undefined || prompt.length === 0 || aborted()) {
		return [];
	}
	const model = sequence.model;
	const firstTokens = await nextTokenChoices(sequence, prompt);
	const candidates = [...firstTokens.entries()]
		.filter(([token, probability]) => token !== first && probability >= minFirstTokenProbability && !model.isEogToken(token) && !stopTokens.has(token))
		.slice(0, count * triesPerAlternative)
		.map(([token]) => token);
	const seen = new Set(distinctFrom.map(text => text.trim()));
	const alternatives: string[] = [];
	for (const token of candidates) {
		if (alternatives.length >= count || aborted()) {
			break;
		}
		const end = ending();
		const generated = await generateTokens({
			sequence,
			prompt: [...prompt, token],
			stopTokens,
			maxTokens: Math.max(1, maxTokens - 1),
			signal: combined(signals),
			shouldStop: tokens => end.done(textOf([token, ...tokens])),
		});
		if (generated.stopReason === 'aborted') {
			break;
		}
		const text = end.finish(textOf([token, ...generated.tokens]));
		if (text.trim() !== '' && !seen.has(text.trim())) {
			seen.add(text.trim());
			alternatives.push(text);
		}
	}
	return alternatives;
}

/** The model's next-token probabilities after the whole prompt, highest first, reusing its cached state. */
async function nextTokenChoices(sequence: LlamaContextSequence, prompt: readonly Token[]): Promise<Map<Token, number>> {
	// Evaluate the last prompt token again (as generation does) to get its distribution.
	await sequence.adaptStateToTokens(prompt.slice(0, -1), false);
	const rest = prompt.slice(sequence.nextTokenIndex);
	const input: ControlledEvaluateInputItem[] = rest.map((token, index) => index === rest.length - 1 ? [token, { generateNext: { probabilities: true } }] : token);
	const output = await sequence.controlledEvaluate(input);
	return output.at(-1)?.next.probabilities ?? new Map();
}

function combined(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
	const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
	return present.length === 0 ? undefined : AbortSignal.any(present);
}
