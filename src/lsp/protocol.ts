/*
 * The one place where Bora's wire format is declared. Both the extension (client) and the runtime
 * server import this module, so a message can never drift between the two sides.
 * It imports only the protocol package and plain runtime types, so the extension bundle never pulls
 * in server or model code.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

import type { ChatTurn, ReasoningEffort, RuntimeState } from '../runtime/types';

export type {
	Backend, ChatTurn, FimFormatName, GpuMode, ModelInfo, ReasoningEffort, ReasoningFamily, ReasoningSupport, RuntimeErrorCode, RuntimeErrorInfo,
	RuntimeSettings, RuntimeState,
} from '../runtime/types';
export { defaultRuntimeSettings } from '../runtime/types';

/** Sent by the server whenever the runtime state changes. */
export namespace RuntimeStateNotification {
	export const method = 'bora/runtimeState' as const;
	export const type = new NotificationType<RuntimeState>(method);
}

/** Asks the server for its current runtime state, e.g. after the client reconnects. */
export namespace RuntimeStateRequest {
	export const method = 'bora/getRuntimeState' as const;
	export const type = new RequestType0<RuntimeState, void>(method);
}

/**
 * Error codes carried by `ResponseError`s from Bora's handlers, outside the JSON-RPC and LSP reserved
 * ranges. The error's `data` is a {@link RuntimeErrorInfo}.
 */
export namespace BoraErrorCodes {
	/** The request cannot be served in the runtime's current state (no model, load error, no FIM tokens). */
	export const unavailable = 41001;
}

export interface ChatParams {
	/** Chosen by the client; every chunk of this answer carries it. */
	readonly chatId: string;
	/** Earlier turns, oldest first. */
	readonly history: readonly ChatTurn[];
	/** The new user message, with any context (selection, files) already written into it. */
	readonly message: string;
	readonly effort: ReasoningEffort;
}

export interface ChatResult {
	readonly answer: string;
	readonly thought: string;
	readonly thoughtTokens: number;
	/** The thought-token budget that applied; absent when unbounded. */
	readonly thoughtBudget?: number;
	/** The budget ran out: thinking was closed so the model could answer. */
	readonly budgetExhausted: boolean;
	/**
	 * A sentence to show with the answer when something did not go as asked: the effort was ignored
	 * (model without reasoning control), Off was not possible (gpt-oss, Magistral), or the model
	 * wrote no answer after thinking. Absent when there is nothing to say.
	 */
	readonly notice?: string;
}

/** Streams one chat answer; its chunks arrive as {@link ChatChunkNotification}s. `$/cancelRequest` stops it at once. */
export namespace ChatRequest {
	export const method = 'bora/chat' as const;
	export const type = new RequestType<ChatParams, ChatResult, void>(method);
}

export interface ChatChunk {
	readonly chatId: string;
	/** Thought text belongs in the collapsible thinking block, answer text in the message. */
	readonly kind: 'thought' | 'answer';
	readonly text: string;
	/** Thought tokens so far, for the "Thinking · 312 / 2048 tokens" meter. */
	readonly thoughtTokens: number;
	readonly thoughtBudget?: number;
}

export namespace ChatChunkNotification {
	export const method = 'bora/chatChunk' as const;
	export const type = new NotificationType<ChatChunk>(method);
}
