import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
	/** Most ms until the answer starts: its status and headers, and for a stream its first event. */
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

/** Connections to the server at once: a chat stream, a completion and a `/tokenize` beside them; more requests queue here. */
const maxConnections = 3;
/** Error answers are read up to this size for their message. */
const maxErrorBodyBytes = 64 * 1024;

/**
 * Bora's only way to the remote engine: HTTP to the configured URL and nowhere else (no redirects
 * followed), with the extra headers and `Authorization: Bearer <key>`, a time budget and the
 * caller's cancellation on every call, and every failure a typed {@link RuntimeError} whose text
 * never holds the key.
 *
 * Node's `http` rather than `fetch`: Node 20's `fetch` (undici 6) opens a fresh connection after
 * every aborted request, which then idles until its keep-alive timeout, so typing against a slow
 * server left a trail of spare sockets. Here a cancel or timeout destroys exactly the request's own
 * socket (the server sees the connection close and stops generating), and finished requests keep
 * theirs alive for the next keystroke.
 */
export class RemoteHttp {
	private readonly agent: HttpAgent;

	constructor(private readonly options: RemoteHttpOptions) {
		// Few connections: llama-server's HTTP library gives each open connection a worker thread (5 by
		// default) until its keep-alive ends, so a burst of sockets made its next request wait 5 s.
		const agentOptions = { keepAlive: true, maxSockets: maxConnections, maxFreeSockets: maxConnections };
		this.agent = options.url.root.startsWith('https:') ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
	}

	get url(): RemoteUrl {
		return this.options.url;
	}

	/** Closes the idle connections kept for the next request (the settings changed, or the window left). */
	dispose(): void {
		this.agent.destroy();
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
			// The answer's budget runs until its first event (servers send headers before evaluating the
			// prompt); from then on it is per event: a long answer is fine as long as it keeps coming.
			try {
				for await (const data of readServerSentEvents(response)) {
					call.restart(options.stallMs, 'stall');
					if (data.trim() === '[DONE]') {
						call.finished();
						return;
					}
					yield parseJson(data, context);
				}
			} catch (error) {
				throw call.failure() ?? (error instanceof RuntimeError ? error : streamCutError(context, error));
			}
			throw call.failure() ?? streamCutError(context);
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
				text = await readText(response, Infinity);
			} catch (error) {
				throw call.failure() ?? streamCutError(context, error);
			}
			call.finished();
			return parseJson(text, context);
		} finally {
			call.dispose();
		}
	}

	private async send(method: 'GET' | 'POST', path: string, body: unknown, call: Call, context: RemoteRequestContext): Promise<IncomingMessage> {
		const apiKey = this.options.apiKey();
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const headers: OutgoingHttpHeaders = { ...this.options.headers, accept: 'application/json, text/event-stream' };
		if (apiKey) {
			headers.authorization = `Bearer ${apiKey}`;
		}
		if (payload !== undefined) {
			headers['content-type'] = 'application/json';
			headers['content-length'] = Buffer.byteLength(payload);
		}
		const target = new URL(`${call.base === 'root' ? this.options.url.root : this.options.url.api}${path}`);
		const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
		let response: IncomingMessage;
		try {
			response = await new Promise<IncomingMessage>((resolve, reject) => {
				const outgoing = request(target, { method, headers, agent: this.agent, signal: call.signal }, resolve);
				outgoing.on('error', reject);
				outgoing.end(payload);
			});
		} catch (error) {
			throw call.failure() ?? unreachableError(error, context);
		}
		const status = response.statusCode ?? 0;
		if (status < 200 || status > 299) {
			const text = await readText(response, maxErrorBodyBytes).catch(() => '');
			const retryAfter = response.headers['retry-after'];
			throw redact(httpStatusError(status, text, typeof retryAfter === 'string' ? retryAfter : null, context), apiKey);
		}
		return response;
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
 * out, so a timeout is told apart from a cancel and from a dropped connection. Aborting destroys the
 * request's socket; a request read to its end is left alone, its socket back in the agent's pool.
 */
class Call {
	private readonly controller = new AbortController();
	private timer: NodeJS.Timeout | undefined;
	private expired: { ms: number; phase: 'answer' | 'stall' } | undefined;
	private done = false;
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

	/** The answer was read to its end. */
	finished(): void {
		this.done = true;
	}

	/** What an error thrown while the call ran really means: the caller's cancel, the budget, or (`undefined`) the error itself. */
	failure(): unknown {
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
		if (!this.done) {
			// Left early (a good ending, a cancel, an error): the connection closes and the server stops.
			this.controller.abort();
		}
	}
}

async function readText(response: IncomingMessage, maxBytes: number): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of response as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > maxBytes) {
			break;
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks).toString('utf8');
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
