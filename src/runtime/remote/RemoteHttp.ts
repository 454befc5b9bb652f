import { RuntimeError } from '../errors/RuntimeError';
import { readServerSentEvents } from './readServerSentEvents';
import { httpStatusError, streamCutError, timeoutError, unreachableError, unreadableAnswerError, type RemoteRequestContext } from './remoteErrors';
import type { RemoteUrl } from './remoteUrl';

export interface RemoteHttpOptions {
	readonly url: RemoteUrl;
	/** `bora.remote.headers`, parsed. Defaults to none. */
	readonly headers?: Readonly<Record<string, string>>;
	/** The key the client sent for this window; read at each request, so a new key applies to the next one. */
	readonly apiKey: () => string | null;
}

export interface RemoteCallOptions {
	/** `root` for llama-server's own endpoints (`/props`, `/tokenize`), `api` for the OpenAI ones under `/v1`. */
	readonly base: 'root' | 'api';
	/** Stops the request (and the download of its answer) and rejects with the signal's reason. */
	readonly signal?: AbortSignal;
	/** Most ms until the answer starts (its status and headers). */
	readonly timeoutMs: number;
	/** The model the request names, so a 404 says which. Defaults to none. */
	readonly model?: string;
	/** The setting that names `model`, for the error's action. Defaults to none. */
	readonly modelSetting?: string;
}

export interface RemoteStreamOptions extends RemoteCallOptions {
	/** Most ms between two events once the answer started. */
	readonly stallMs: number;
}

/**
 * Bora's only way to the remote engine: Node's `fetch` to the configured URL and nowhere else, with
 * the extra headers and `Authorization: Bearer <key>`, a time budget and the caller's cancellation
 * on every call, and every failure a typed {@link RuntimeError} whose text never holds the key.
 */
export class RemoteHttp {
	constructor(private readonly options: RemoteHttpOptions) {}

	get url(): RemoteUrl {
		return this.options.url;
	}

	get hasApiKey(): boolean {
		return Boolean(this.options.apiKey());
	}

	/** GETs `path` and parses its JSON answer. */
	async getJson(path: string, options: RemoteCallOptions): Promise<unknown> {
		return this.json('GET', path, undefined, options);
	}

	/** POSTs `body` as JSON to `path` and parses the JSON answer. */
	async postJson(path: string, body: unknown, options: RemoteCallOptions): Promise<unknown> {
		return this.json('POST', path, body, options);
	}

	/**
	 * POSTs `body` and yields each server-sent event's JSON until `[DONE]`. A stream that ends
	 * without `[DONE]`, or whose connection drops, rejects with a "stopped mid-answer" error; one
	 * that sends nothing for `stallMs` with a timeout. Leaving the loop early cancels the request.
	 */
	async *postStream(path: string, body: unknown, options: RemoteStreamOptions): AsyncGenerator<unknown> {
		const context = this.contextOf(path, options);
		const call = new Call(options, context);
		try {
			const response = await this.send('POST', path, body, call, context);
			if (!response.body) {
				throw unreadableAnswerError(context, 'no body');
			}
			// From here on the budget is per event: a long answer is fine as long as it keeps coming.
			call.restart(options.stallMs, 'stall');
			try {
				for await (const data of readServerSentEvents(response.body)) {
					call.restart(options.stallMs, 'stall');
					if (data.trim() === '[DONE]') {
						return;
					}
					yield parseJson(data, context);
				}
			} catch (error) {
				throw call.failure(error) ?? (error instanceof RuntimeError ? error : streamCutError(context, error));
			}
			throw call.failure(undefined) ?? streamCutError(context);
		} finally {
			call.dispose();
		}
	}

	private async json(method: 'GET' | 'POST', path: string, body: unknown, options: RemoteCallOptions): Promise<unknown> {
		const context = this.contextOf(path, options);
		const call = new Call(options, context);
		try {
			const response = await this.send(method, path, body, call, context);
			let text: string;
			try {
				text = await response.text();
			} catch (error) {
				throw call.failure(error) ?? streamCutError(context, error);
			}
			return parseJson(text, context);
		} finally {
			call.dispose();
		}
	}

	private async send(method: 'GET' | 'POST', path: string, body: unknown, call: Call, context: RemoteRequestContext): Promise<Response> {
		const apiKey = this.options.apiKey();
		const headers: Record<string, string> = { ...this.options.headers, accept: 'application/json, text/event-stream' };
		if (apiKey) {
			headers.authorization = `Bearer ${apiKey}`;
		}
		if (body !== undefined) {
			headers['content-type'] = 'application/json';
		}
		let response: Response;
		try {
			response = await fetch(`${this.baseOf(call.base)}${path}`, {
				method, headers, signal: call.signal, redirect: 'error',
				...(body === undefined ? {} : { body: JSON.stringify(body) }),
			});
		} catch (error) {
			throw call.failure(error) ?? unreachableError(error, context);
		}
		if (!response.ok) {
			const text = await response.text().catch(() => '');
			throw redact(httpStatusError(response.status, text, response.headers.get('retry-after'), context), apiKey);
		}
		return response;
	}

	private baseOf(base: 'root' | 'api'): string {
		return base === 'root' ? this.options.url.root : this.options.url.api;
	}

	private contextOf(path: string, options: RemoteCallOptions): RemoteRequestContext {
		const base = options.base === 'api' ? '/v1' : '';
		return {
			host: this.options.url.host, path: `${base}${path}`, hasApiKey: this.hasApiKey,
			...(options.model === undefined ? {} : { model: options.model }),
			...(options.modelSetting === undefined ? {} : { modelSetting: options.modelSetting }),
		};
	}

}

/**
 * One request's cancellation: the caller's signal, and a timer that aborts it when the budget runs
 * out, so a timeout is told apart from a cancel and from a dropped connection.
 */
class Call {
	private readonly controller = new AbortController();
	private timer: NodeJS.Timeout | undefined;
	private expired: { ms: number; phase: 'answer' | 'stall' } | undefined;
	private readonly onAbort = () => this.controller.abort(this.options.signal?.reason);
	readonly signal: AbortSignal;
	readonly base: 'root' | 'api';

	constructor(private readonly options: RemoteCallOptions, private readonly context: RemoteRequestContext) {
		this.base = options.base;
		this.signal = this.controller.signal;
		options.signal?.throwIfAborted();
		options.signal?.addEventListener('abort', this.onAbort, { once: true });
		this.restart(options.timeoutMs, 'answer');
	}

	restart(ms: number, phase: 'answer' | 'stall'): void {
		clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.expired = { ms, phase };
			this.controller.abort();
		}, ms);
	}

	/** What an error thrown while the call ran really means: the caller's cancel, the budget, or (`undefined`) the error itself. */
	failure(_error: unknown): unknown {
		if (this.options.signal?.aborted) {
			return this.options.signal.reason;
		}
		if (this.expired) {
			return timeoutError(this.context, this.expired.ms, this.expired.phase);
		}
		return undefined;
	}

	dispose(): void {
		clearTimeout(this.timer);
		this.options.signal?.removeEventListener('abort', this.onAbort);
		// Leaves no socket behind when the consumer stopped reading early.
		this.controller.abort();
	}
}

function parseJson(text: string, context: RemoteRequestContext): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw unreadableAnswerError(context, `not JSON: ${JSON.stringify(text.slice(0, 60))}`);
	}
}

/** A server may echo what it was sent: the key never reaches a message. */
function redact(error: RuntimeError, apiKey: string | null): RuntimeError {
	if (!apiKey || !error.message.includes(apiKey)) {
		return error;
	}
	return new RuntimeError({ ...error.toInfo(), message: error.message.split(apiKey).join('***') });
}
