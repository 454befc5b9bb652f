import { BoraErrorCodes, type RuntimeErrorInfo } from '../../shared/protocol';
import type { ClientState } from '../ClientState';

/**
 * Why a chat message cannot be answered right now, in words for the panel; undefined when it can.
 * With a remote engine (`remote`) no local model matters: only a runtime that is not running, or one
 * that reports an error, stops a message before the server is asked.
 */
export function chatProblem(state: ClientState, chatModelPath: string, remote = false): string | undefined {
	switch (state.kind) {
		case 'starting':
			return "Bora's runtime is starting; send again in a moment.";
		case 'stopped':
			return `${state.message} Run **Bora: Restart Runtime** to start it again.`;
		case 'runtime':
			break;
		default:
			void (state satisfies never);
	}
	const runtime = state.runtime;
	if (remote) {
		return runtime.kind === 'error' ? `${runtime.error.message} ${runtime.error.action}` : undefined;
	}
	switch (runtime.kind) {
		case 'idle':
			return `${runtime.reason.message} ${runtime.reason.action}`;
		case 'loading':
			return `The model is still loading (${Math.round(runtime.progress * 100)}%).`;
		case 'error':
			return `${runtime.error.message} ${runtime.error.action}`;
		case 'ready':
			// With a separate chat model the runtime answers for it; the completion model's template does not matter.
			return chatModelPath === '' && !runtime.model.hasChatTemplate
				? `${runtime.model.name} has no chat template, so Bora cannot chat with it. Set \`bora.chat.modelPath\` to a chat model (a GGUF with a chat template).`
				: undefined;
		default:
			void (runtime satisfies never);
			return undefined;
	}
}

/** JSON-RPC codes the chat panel tells apart (vscode-jsonrpc's `ErrorCodes`). */
const methodNotFound = -32601;
const requestCancelled = -32800;
const pendingResponseRejected = -32097;
const connectionInactive = -32099;

/** A failed chat request → the sentence the panel shows, or 'cancelled' when the user stopped it. */
export function describeChatError(error: unknown): string | 'cancelled' {
	const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : undefined;
	const message = error instanceof Error ? error.message : String(error);
	if (code === requestCancelled) {
		return 'cancelled';
	}
	if (code === BoraErrorCodes.unavailable) {
		const info = (error as { data?: RuntimeErrorInfo }).data;
		return info ? `${info.message} ${info.action}` : message;
	}
	if (code === methodNotFound) {
		return "This version of Bora's runtime cannot chat yet (it does not know `bora/chat`).";
	}
	if (code === pendingResponseRejected || code === connectionInactive || /connection (got disposed|is closed|is disposed)/i.test(message)) {
		return "Bora's runtime stopped while answering. Earlier messages are kept; send the message again once the runtime has restarted.";
	}
	return `The answer failed: ${message}`;
}
