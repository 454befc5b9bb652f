import { describeNetworkError } from '../catalog/describeNetworkError';
import { RuntimeError } from '../errors/RuntimeError';

/** What a request was for, so its error says what failed and what to change. */
export interface RemoteRequestContext {
	/** `host:port` of the server. */
	readonly host: string;
	/** `/v1/completions`, `/props`… */
	readonly path: string;
	/** The model the request named; a 404 then means the server does not know it. */
	readonly model?: string;
	/** Which setting names that model, for the action. */
	readonly modelSetting?: string;
	/** Whether an API key was sent. */
	readonly hasApiKey: boolean;
}

/** A connection that never got an answer: refused, DNS, TLS, reset, unreachable. */
export function unreachableError(error: unknown, context: RemoteRequestContext): RuntimeError {
	const reason = describeNetworkError(error, `http://${context.host}`);
	const action = reason.startsWith('cannot resolve')
		? 'Check the host name in bora.remote.url, and your network or VPN.'
		: reason.startsWith('a secure connection')
			? 'Check the server\'s TLS certificate (it must be valid for this host name and trusted by this machine), or the https:// in bora.remote.url.'
			: reason.startsWith('connection refused')
				? 'Start the server, or check the port in bora.remote.url.'
				: 'Check that the server is running and reachable from this machine, and bora.remote.url.';
	return new RuntimeError({ code: 'remoteUnreachable', message: `The remote engine at ${context.host} cannot be reached: ${reason}.`, action }, { cause: error });
}

/** A non-2xx answer, with the server's own error text where it gave one (OpenAI's `{error: {message}}`). */
export function httpStatusError(status: number, bodyText: string, retryAfter: string | null, context: RemoteRequestContext): RuntimeError {
	const detail = serverMessageOf(bodyText);
	const said = detail ? `: ${detail}` : '';
	if (status === 401 || status === 403) {
		return new RuntimeError({
			code: 'remoteUnauthorized',
			message: `The remote engine at ${context.host} refused the request (${status})${context.hasApiKey ? ': the API key is wrong or not allowed there' : ': it needs an API key and none is set'}.`,
			action: 'Run "Bora: Set Remote API Key…" with the key for this server (or the headers your gateway needs in bora.remote.headers).',
		});
	}
	if (status === 404) {
		if (context.model !== undefined && (detail === undefined || /model/i.test(detail))) {
			return new RuntimeError({
				code: 'remoteModelNotFound',
				message: `The remote engine at ${context.host} has no model "${context.model}" (404)${said}.`,
				action: `Set ${context.modelSetting ?? 'the model setting'} to one of the names the server's /v1/models lists, or leave it empty for the server's first model.`,
			});
		}
		return new RuntimeError({
			code: 'remoteServerError',
			message: `The remote engine at ${context.host} has no ${context.path} (404)${said}.`,
			action: 'Check that bora.remote.url points at an OpenAI-compatible server (vLLM, SGLang, llama-server), with or without /v1.',
		});
	}
	if (status === 429) {
		const wait = retryAfterSeconds(retryAfter);
		return new RuntimeError({
			code: 'remoteRateLimited',
			message: `The remote engine at ${context.host} is limiting requests (429)${wait === undefined ? '' : `; it asks to wait ${wait} s`}${said}.`,
			action: wait === undefined ? 'Wait a moment; the next request tries again. Ask the server\'s administrator for a higher limit if it keeps happening.' : `The next request after ${wait} s tries again. Ask the server's administrator for a higher limit if it keeps happening.`,
		});
	}
	return new RuntimeError({
		code: 'remoteServerError',
		message: `The remote engine at ${context.host} answered ${status} for ${context.path}${said}.`,
		action: status >= 500 ? 'The server failed: see its log. The next request tries again.' : 'See the server\'s message; the request may need other settings (bora.remote.*).',
	});
}

/** The answer stopped before its end (the connection dropped, the server died). */
export function streamCutError(context: RemoteRequestContext, error?: unknown): RuntimeError {
	const reason = error === undefined ? 'the stream ended without its last event' : describeNetworkError(error, `http://${context.host}`);
	return new RuntimeError({
		code: 'remoteServerError',
		message: `The remote engine at ${context.host} stopped answering mid-answer (${reason}).`,
		action: 'Check the server (it may have restarted or run out of memory); the next request tries again.',
	}, error === undefined ? undefined : { cause: error });
}

/** No answer, or no further event, within the time budget. */
export function timeoutError(context: RemoteRequestContext, ms: number, phase: 'answer' | 'stall'): RuntimeError {
	return new RuntimeError({
		code: 'remoteTimeout',
		message: phase === 'answer'
			? `The remote engine at ${context.host} did not answer ${context.path} within ${formatSeconds(ms)}.`
			: `The remote engine at ${context.host} stopped sending for ${formatSeconds(ms)} in the middle of ${context.path}.`,
		action: 'The server is overloaded or stuck: check it, or use a smaller or less busy model. Bora does not retry; the next request tries again.',
	});
}

/** An answer Bora cannot read (not JSON, not the OpenAI shape). */
export function unreadableAnswerError(context: RemoteRequestContext, what: string): RuntimeError {
	return new RuntimeError({
		code: 'remoteServerError',
		message: `The remote engine at ${context.host} sent an answer to ${context.path} that Bora cannot read (${what}).`,
		action: 'Check that bora.remote.url points at an OpenAI-compatible server (vLLM, SGLang, llama-server).',
	});
}

function serverMessageOf(bodyText: string): string | undefined {
	let message: unknown = bodyText;
	try {
		const parsed = JSON.parse(bodyText) as { error?: unknown; message?: unknown; detail?: unknown };
		const error = parsed.error;
		message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error ?? parsed.message ?? parsed.detail;
	} catch {
		// Plain text.
	}
	if (typeof message !== 'string') {
		return undefined;
	}
	const line = message.replace(/\s+/g, ' ').trim();
	return line === '' ? undefined : line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Retry-After as seconds: a number of seconds, or an HTTP date. */
function retryAfterSeconds(value: string | null): number | undefined {
	if (value === null || value.trim() === '') {
		return undefined;
	}
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) {
		return Math.ceil(seconds);
	}
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function formatSeconds(ms: number): string {
	return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
