import type { ChatHistoryItem } from 'node-llama-cpp';
import type { ChatTurn } from '../../shared/types';

export interface ChatHistoryInput {
	/** Empty for none. */
	readonly systemPrompt: string;
	readonly history: readonly ChatTurn[];
	readonly message: string;
}

/**
 * The client-held chat as node-llama-cpp history, ending with an empty model response to generate.
 * An earlier turn's reasoning becomes a closed thought segment, so the model's template re-renders
 * it the way the model wrote it (for Mistral Small 4: `[THINK]…[/THINK]` before the answer).
 */
export function toChatHistory({ systemPrompt, history, message }: ChatHistoryInput): ChatHistoryItem[] {
	const items: ChatHistoryItem[] = [];
	if (systemPrompt) {
		items.push({ type: 'system', text: systemPrompt });
	}
	for (const turn of history) {
		items.push({ type: 'user', text: turn.user });
		items.push({
			type: 'model',
			response: turn.thought
				? [{ type: 'segment', segmentType: 'thought', text: turn.thought, ended: true }, turn.assistant]
				: [turn.assistant],
		});
	}
	items.push({ type: 'user', text: message });
	items.push({ type: 'model', response: [] });
	return items;
}
