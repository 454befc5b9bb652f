/*
 * The fold of a streamed answer's chunks into its turn, written once for the extension host (the
 * turn it saves) and the chat webview (the turn it paints). Pure, types only from this folder.
 */
import type { ChatChunk } from './protocol';

/** The parts of a turn the chunks of its answer change. */
export interface StreamedAnswer {
	readonly thought: string;
	readonly answer: string;
	readonly thoughtTokens: number;
	readonly thoughtBudget?: number;
}

/** One streamed piece as both sides see it: a `bora/chatChunk` or the webview's `chunk` message. */
export type AnswerChunk = Pick<ChatChunk, 'kind' | 'text' | 'thoughtTokens' | 'thoughtBudget'>;

/**
 * The turn with one more chunk: its text appended to the thought or the answer, the thought-token
 * count replaced (chunks carry the running total) and the budget kept unless the chunk names one.
 */
export function foldChunk<T extends StreamedAnswer>(turn: T, chunk: AnswerChunk): T {
	return {
		...turn,
		thought: chunk.kind === 'thought' ? turn.thought + chunk.text : turn.thought,
		answer: chunk.kind === 'answer' ? turn.answer + chunk.text : turn.answer,
		thoughtTokens: chunk.thoughtTokens,
		...(chunk.thoughtBudget !== undefined ? { thoughtBudget: chunk.thoughtBudget } : {}),
	};
}

/** The chunk's fields, without the ones only the wire needs (`chatId`), for the webview's `chunk` message. */
export function answerChunk({ kind, text, thoughtTokens, thoughtBudget }: AnswerChunk): AnswerChunk {
	return { kind, text, thoughtTokens, ...(thoughtBudget !== undefined ? { thoughtBudget } : {}) };
}
