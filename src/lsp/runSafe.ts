import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import { RuntimeError } from '../runtime';
import { BoraErrorCodes, type RuntimeErrorInfo } from '../shared/protocol';

export interface HandlerLog {
	error(message: string): void;
}

/**
 * What a handler answers when its work fails in a way nobody planned for (a bug, a llama.cpp error
 * without a code): either a harmless answer that shows nothing (`answer`: an empty list, no
 * suggestion), or, where no answer may look like success (a chat, a download), a {@link RuntimeError}
 * the client shows with its action (`fail`: the message is followed by the error's own text).
 */
export type OnUnexpectedError<T> =
	| { readonly answer: T }
	| { readonly fail: Omit<RuntimeErrorInfo, 'code'> };

/**
 * Runs a request handler with the editor's cancellation wired through as an `AbortSignal`.
 * Cancellation answers `RequestCancelled`; a {@link RuntimeError} answers a typed `ResponseError`
 * the client can show (thrown, so jsonrpc sends it with its data); anything else is logged with
 * `errorContext` and handled as `onUnexpectedError` says.
 */
export async function runSafeAsync<T>(
	log: HandlerLog,
	work: (signal: AbortSignal) => Promise<T>,
	onUnexpectedError: OnUnexpectedError<T>,
	errorContext: string,
	token: CancellationToken,
): Promise<T> {
	// Yield once so a `$/cancelRequest` already queued behind this request is seen before any work.
	await new Promise(resolve => setImmediate(resolve));
	if (token.isCancellationRequested) {
		throw cancelled();
	}
	const controller = new AbortController();
	const subscription = token.onCancellationRequested(() => controller.abort());
	try {
		const result = await work(controller.signal);
		if (token.isCancellationRequested) {
			throw cancelled();
		}
		return result;
	} catch (error) {
		if (token.isCancellationRequested || controller.signal.aborted) {
			throw cancelled();
		}
		if (error instanceof ResponseError) {
			// Already an answer for the client (bad params, say).
			throw error;
		}
		if (error instanceof RuntimeError) {
			throw toResponseError(error);
		}
		log.error(`${errorContext}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
		if ('answer' in onUnexpectedError) {
			return onUnexpectedError.answer;
		}
		throw toResponseError(RuntimeError.from(error, { code: 'internal', ...onUnexpectedError.fail }));
	} finally {
		subscription.dispose();
	}
}

function toResponseError(error: RuntimeError): ResponseError<RuntimeErrorInfo> {
	return new ResponseError<RuntimeErrorInfo>(BoraErrorCodes.unavailable, error.message, error.toInfo());
}

function cancelled(): ResponseError<undefined> {
	return new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
}
