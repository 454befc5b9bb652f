import type { TurnView } from '../../src/shared/webviewMessages';

/** The line under an answer: why it is missing or cut short, or that it is on its way. */
export type TurnStatus =
	/** Written by the extension host (Markdown, rendered through the escaping renderer). */
	| { readonly kind: 'error'; readonly markdown: string }
	| { readonly kind: 'stopped' | 'pending' | 'empty'; readonly text: string };

export interface TurnNotes {
	readonly status?: TurnStatus;
	/** The runtime's notice, as plain text. */
	readonly notice?: string;
}

/**
 * Said for a finished turn whose answer is empty when the runtime gave no reason of its own. It never
 * suggests a higher effort: the panel does not know the effort the turn used (the runtime's notice does).
 */
export const emptyAnswerText = 'The model wrote no answer. Ask again or rephrase the question.';

/**
 * What a turn says besides its answer. A finished turn never shows nothing: an empty answer gets the
 * runtime's notice or, without one, {@link emptyAnswerText}.
 */
export function turnNotes(turn: TurnView, streaming: boolean): TurnNotes {
	const notice = turn.notice?.trim() || undefined;
	const withNotice = notice ? { notice } : {};
	if (turn.error) {
		return { status: { kind: 'error', markdown: turn.error }, ...withNotice };
	}
	if (turn.stopped) {
		return { status: { kind: 'stopped', text: 'Stopped.' }, ...withNotice };
	}
	const hasThinking = turn.thought !== '' || turn.thoughtTokens > 0;
	if (streaming) {
		return turn.answer === '' && !hasThinking ? { status: { kind: 'pending', text: 'Bora is answering…' } } : {};
	}
	if (turn.answer.trim() === '' && !notice) {
		return { status: { kind: 'empty', text: emptyAnswerText } };
	}
	return withNotice;
}
