import type { ReasoningEffort, ReasoningSupport } from '../../shared/types';

export interface EmptyAnswerNoticeOptions {
	/** The effort the answer was asked with. */
	readonly effort: ReasoningEffort;
	/** What the chat model can do with an effort. */
	readonly support: ReasoningSupport;
	/** Whether the model wrote a thought before stopping. */
	readonly thoughtStarted: boolean;
	/** Whether that thought used its whole budget. */
	readonly budgetExhausted: boolean;
}

/**
 * What a turn with an empty answer says, so a model that returns nothing never leaves the chat
 * silent. A higher effort is suggested only when there is one and it would change something: never
 * at High, never for a model whose effort is ignored.
 */
export function emptyAnswerNotice({ effort, support, thoughtStarted, budgetExhausted }: EmptyAnswerNoticeOptions): string {
	const what = !thoughtStarted
		? 'The model wrote no answer.'
		: budgetExhausted
			? 'The model used its whole thinking budget without writing an answer.'
			: 'The model stopped after thinking without writing an answer.';
	const canRaise = support.supported && effort !== 'high';
	return `${what} Ask again or rephrase the question${canRaise ? '; a higher reasoning effort can help.' : '.'}`;
}
