import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import { RuntimeError } from '../runtime';
import { BoraErrorCodes, type RuntimeErrorInfo } from '../shared/protocol';

export interface HandlerLog {
	error(message: string): void;
}

/**
 * Runs a request handler with the editor's cancellation wired through as an `AbortSignal`.
 * Cancellation answers `RequestCancelled`; a {@link RuntimeError} answers a typed `ResponseError`
 * the client can show (thrown, so jsonrpc sends it with its data); anything else is logged with
 * context and answers `defaultValue`.
 */
export async function runSafeAsync<T>(
	log: HandlerLog,
	work: (signal: AbortSignal) => Promise<T>,
	defaultValue: T,
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
		if (error instanceof RuntimeError) {
			throw new ResponseError<RuntimeErrorInfo>(BoraErrorCodes.unavailable, error.message, error.toInfo());
		}
		log.error(`${errorContext}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
		return defaultValue;
	} finally {
		subscription.dispose();
	}
}

function cancelled(): ResponseError<undefined> {
	return new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
}
