import type * as vscode from 'vscode';
import type { RequestType } from 'vscode-languageclient/node';
import {
	ChatChunkNotification, ChatRequest, ExplainImageRequest,
	type ChatChunk, type ChatParams, type ChatResult, type ExplainImageParams, type ExplainImageResult,
} from '../../shared/protocol';
import { Disposable } from '../dispose';
import type { RuntimeClient } from '../RuntimeClient';

/**
 * Streamed answers: sends `bora/chat` and `bora/explainImage` and routes each `bora/chatChunk` to
 * the request in flight with its `chatId`, until that request settles.
 */
export class ChatStreamRouter extends Disposable {
	/** Chunk listeners of the requests in flight, by `chatId`. */
	private readonly listeners = new Map<string, (chunk: ChatChunk) => void>();

	constructor(private readonly runtime: RuntimeClient) {
		super();
		this._register(runtime.onNotification(ChatChunkNotification.type, chunk => this.listeners.get(chunk.chatId)?.(chunk)));
	}

	/**
	 * Sends one chat request; `onChunk` gets its streamed pieces until it settles. Cancelling `token`
	 * sends `$/cancelRequest`. Rejects when the runtime is not running, fails the request or crashes.
	 */
	chat(params: ChatParams, onChunk: (chunk: ChatChunk) => void, token: vscode.CancellationToken): Promise<ChatResult> {
		return this.stream(ChatRequest.type, params, onChunk, token);
	}

	/** Asks about one image; its answer streams to `onChunk` like a chat answer. Rejects like {@link chat}. */
	explainImage(params: ExplainImageParams, onChunk: (chunk: ChatChunk) => void, token: vscode.CancellationToken): Promise<ExplainImageResult> {
		return this.stream(ExplainImageRequest.type, params, onChunk, token);
	}

	private async stream<P extends { readonly chatId: string }, R>(type: RequestType<P, R, void>, params: P, onChunk: (chunk: ChatChunk) => void, token: vscode.CancellationToken): Promise<R> {
		this.listeners.set(params.chatId, onChunk);
		try {
			return await this.runtime.request(type, params, token);
		} finally {
			this.listeners.delete(params.chatId);
		}
	}

	override dispose(): void {
		this.listeners.clear();
		super.dispose();
	}
}
