import type { ChatHistoryItem } from 'node-llama-cpp';

/**
 * The fixed instruction of chat-model completion. It comes first and never changes, so its KV cache
 * is reused by every request; only the text around the cursor follows it.
 */
export const chatCompletionInstruction = [
	'You are a code completion engine inside an editor. The user sends a file in two parts: first the code after the cursor, then the code before the cursor.',
	'Reply with only the code that goes at the cursor, continuing the code before the cursor exactly where it ends.',
	'No explanations, no markdown, no code fences. Do not repeat the code before or after the cursor.',
].join(' ');

export interface ChatCompletionPromptInput {
	readonly prefix: string;
	readonly suffix: string;
	/** Shown to the model for the language. */
	readonly fileName: string;
}

/**
 * The chat for one completion, laid out stable-first: the instruction, the file name, the code
 * after the cursor, then the code before it. Typing at the cursor only extends the end of the user
 * message, so everything up to the cursor stays cached (pure prefix reuse, which MLA models need).
 */
export function chatCompletionHistory({ prefix, suffix, fileName }: ChatCompletionPromptInput): ChatHistoryItem[] {
	const message = `File: ${fileName}\n\nCode after the cursor:\n${suffix}\n<<<END OF CODE AFTER THE CURSOR>>>\n\nCode before the cursor:\n${prefix}`;
	return [
		{ type: 'system', text: chatCompletionInstruction },
		{ type: 'user', text: message },
		{ type: 'model', response: [] },
	];
}
