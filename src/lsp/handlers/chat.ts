import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import { RuntimeError, type ChatEngineRequest, type ChatEngineResult } from '../../runtime';
import { ChatChunkNotification, ChatRequest, type ChatParams, type ChatResult, type ChatTurn, type ReasoningEffort } from '../../shared/protocol';
import { runSafeAsync, type HandlerLog, type OnUnexpectedError } from '../runSafe';

export interface ChatLog extends HandlerLog {
	info(message: string): void;
	warn(message: string): void;
}

/** Whatever answers a window's chats: its local runtime, or its remote engine. */
export interface ChatAnswerer {
	chat(request: ChatEngineRequest): Promise<ChatEngineResult>;
}

/**
 * `bora/chat`: one streamed answer. Chunks go out as `bora/chatChunk` notifications before the
 * response, on the same ordered stream, so the client has every chunk when the result arrives.
 * `$/cancelRequest` stops generation before the next token and answers `RequestCancelled`.
 */
export function registerChat(connection: Connection, engineOf: () => ChatAnswerer, log: ChatLog): void {
	connection.onRequest(ChatRequest.type, (params, token) => {
		const request = parseChatParams(params);
		return runSafeAsync(log, async (signal): Promise<ChatResult> => {
			const { chatId } = request;
			let result: ChatEngineResult;
			try {
				result = await engineOf().chat({
					history: request.history,
					message: request.message,
					effort: request.effort,
					signal,
					onChunk: chunk => void connection.sendNotification(ChatChunkNotification.type, { chatId, ...chunk }),
				});
			} catch (error) {
				// runSafe answers a RuntimeError without logging it: a failed chat must leave a line, as an answered one does.
				if (error instanceof RuntimeError && !signal.aborted) {
					log.warn(`chat ${chatId} failed: ${error.message}`);
				}
				throw error;
			}
			log.info(`chat ${chatId}: ${result.thoughtTokens} thought tokens${result.thoughtBudget === undefined ? '' : ` of ${result.thoughtBudget}`}${result.budgetExhausted ? ' (budget ran out)' : ''}, ${result.answer.length} answer characters`);
			return result;
		}, chatFailed, `Error while answering chat ${request.chatId}`, token);
	});
}

/** The chat view must show a failure, never an empty answer that looks like success. */
const chatFailed: OnUnexpectedError<ChatResult> = { fail: { message: 'The chat answer failed', action: 'See the runtime log for details, or restart the runtime.' } };

/** Params come from any editor: check their shape before the runtime sees them. */
function parseChatParams(params: unknown): ChatParams {
	const fail = (what: string): never => {
		throw new ResponseError(ErrorCodes.InvalidParams, `bora/chat: ${what}`);
	};
	if (!isRecord(params)) {
		return fail('params must be an object');
	}
	const { chatId, history, message, effort } = params;
	if (typeof chatId !== 'string') {
		fail('chatId must be a string');
	}
	if (typeof message !== 'string') {
		fail('message must be a string');
	}
	if (!isEffort(effort)) {
		fail('effort must be off, low, medium or high');
	}
	if (!Array.isArray(history) || !history.every(isTurn)) {
		fail('history must be a list of {user, assistant, thought?} turns');
	}
	return { chatId, history, message, effort } as ChatParams;
}

function isTurn(value: unknown): value is ChatTurn {
	return isRecord(value) && typeof value.user === 'string' && typeof value.assistant === 'string'
		&& (value.thought === undefined || typeof value.thought === 'string');
}

function isEffort(value: unknown): value is ReasoningEffort {
	return value === 'off' || value === 'low' || value === 'medium' || value === 'high';
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
