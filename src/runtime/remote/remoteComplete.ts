import type { BackendCompletionRequest, BackendCompletionResult } from '../completion/CompletionBackend';
import type { CompletionStats } from '../completion/CompletionStats';
import { chatCompletionInstruction } from '../completion/chatMode/chatCompletionPrompt';
import { codeFromChatAnswer, trimOverlap } from '../completion/chatMode/codeFromChatAnswer';
import { endingFor, type RequestEnding } from '../completion/endings';
import type { StopReason } from '../completion/generateTokens';
import { firstChoice, timingsOf, type ServerTimings } from './jsonShape';
import { buildRemoteFimPrompt, type RemoteFimPlan } from './planRemoteFim';
import type { RemoteServerFacts } from './probeServer';
import type { RemoteHttp } from './RemoteHttp';

/** What a completion needs to know about the server, found once by the probe. */
export interface RemoteCompletionTarget {
	readonly http: RemoteHttp;
	readonly server: RemoteServerFacts;
	readonly model: string;
	readonly contextLength?: number;
	readonly fim: RemoteFimPlan;
	/** Fields that turn the model's reasoning off for chat-mode completion. */
	readonly reasoningOff: Record<string, unknown>;
	/** Extra context goes into prompts (`bora.remote.sendExtraContext`). */
	readonly sendExtraContext: boolean;
	/** Most tokens a suggestion may have. Defaults to `128`, as locally. */
	readonly maxTokens?: number;
}

export interface RemoteCompletionBudget {
	/** Most ms until the answer starts. */
	readonly answerMs: number;
	/** Most ms between two streamed events. */
	readonly stallMs: number;
}

const defaultMaxTokens = 128;

/**
 * One inline completion on the remote engine: the FIM prompt built as the local engine builds it,
 * sent to `/v1/completions` (token ids, or text where the server cannot tokenize), streamed, and cut
 * by the same endings; leaving early (a good ending, or the request's cancel) cancels the HTTP
 * request, so the server stops generating. Without a FIM format, the chat-model completion mode.
 */
export async function remoteComplete(target: RemoteCompletionTarget, request: BackendCompletionRequest, budget: RemoteCompletionBudget): Promise<BackendCompletionResult> {
	const { signal } = request;
	signal.throwIfAborted();
	const started = performance.now();
	const ending = endingFor(request);
	const maxTokens = target.maxTokens ?? defaultMaxTokens;
	if (target.fim.kind === 'chat') {
		return completeInChatMode(target, request, ending, budget, started);
	}
	const extraContext = target.sendExtraContext ? request.extraContext : [];
	const { prompt, head } = await buildRemoteFimPrompt(target.fim, {
		prefix: request.prefix, suffix: request.suffix, fileName: request.fileName, extraContext, maxTokens, signal,
		...(request.repoName === undefined ? {} : { repoName: request.repoName }),
		...(target.contextLength === undefined ? {} : { contextLength: target.contextLength }),
	});
	const llama = target.server.kind === 'llama-server';
	const body = {
		model: target.model, prompt, max_tokens: maxTokens, temperature: 0, stream: true,
		...(target.fim.stops.length > 0 ? { stop: target.fim.stops } : {}),
		// llama-server: reuse the slot's KV cache for the shared prefix, and report timings on every event (the stream may be left early).
		// Elsewhere (vLLM, SGLang) the usage, with its cached prompt tokens, comes in a last event when asked for.
		...(llama ? { cache_prompt: true, timings_per_token: true } : { stream_options: { include_usage: true } }),
	};
	const streamed = await streamText(target, '/completions', body, budget, signal, event => {
		const text = firstChoice(event)?.text;
		return typeof text === 'string' ? text : '';
	}, text => {
		request.onText(text);
		return ending.done(text);
	});
	const text = ending.finish(streamed.text);
	return {
		text, alternatives: [], ...(text === '' ? { emptyReason: ending.emptyReason ?? 'empty' } : {}),
		stats: statsOf(streamed, started, {
			promptTokens: typeof prompt === 'string' ? 0 : prompt.length, mode: 'fim',
			extraContextTokens: typeof prompt === 'string' ? 0 : head.contextTokens, extraContextChunks: head.chunks,
		}),
	};
}

/** The instruct model asked for the code at the cursor, with the local engine's instruction and layout. */
async function completeInChatMode(target: RemoteCompletionTarget, request: BackendCompletionRequest, ending: RequestEnding, budget: RemoteCompletionBudget, started: number): Promise<BackendCompletionResult> {
	const message = `File: ${request.fileName}\n\nCode after the cursor:\n${request.suffix}\n<<<END OF CODE AFTER THE CURSOR>>>\n\nCode before the cursor:\n${request.prefix}`;
	const body = {
		model: target.model, max_tokens: target.maxTokens ?? defaultMaxTokens, temperature: 0, stream: true,
		messages: [{ role: 'system', content: chatCompletionInstruction }, { role: 'user', content: message }],
		...target.reasoningOff,
		...(target.server.kind === 'llama-server' ? { cache_prompt: true, timings_per_token: true } : { stream_options: { include_usage: true } }),
	};
	const streamed = await streamText(target, '/chat/completions', body, budget, request.signal, event => {
		const delta = firstChoice(event)?.delta;
		const content = typeof delta === 'object' && delta !== null ? (delta as { content?: unknown }).content : undefined;
		return typeof content === 'string' ? content : '';
	}, text => {
		const { code, closed } = codeFromChatAnswer(text);
		return closed || (!/:\s*$/.test(code.split('\n')[0]!) && ending.done(code));
	});
	const linePrefix = request.prefix.slice(request.prefix.lastIndexOf('\n') + 1);
	const text = ending.finish(trimOverlap(codeFromChatAnswer(streamed.text).code, { linePrefix, suffix: request.suffix }));
	return {
		text, alternatives: [], ...(text === '' ? { emptyReason: ending.emptyReason ?? 'empty' } : {}),
		stats: statsOf(streamed, started, { promptTokens: 0, mode: 'chat', extraContextTokens: 0, extraContextChunks: 0 }),
	};
}

interface StreamedText {
	readonly text: string;
	readonly events: number;
	readonly stopReason: StopReason;
	readonly timings?: ServerTimings;
	/** `usage.prompt_tokens` (and the cached part) where the server reports usage. */
	readonly usagePrompt?: { readonly total: number; readonly cached?: number };
	/** Ms from sending to the first text. */
	readonly firstTextMs?: number;
}

/** Streams one request's text until its end, or until `done` says the text is enough (which cancels the request). */
async function streamText(
	target: RemoteCompletionTarget, path: string, body: unknown, budget: RemoteCompletionBudget, signal: AbortSignal,
	textOf: (event: unknown) => string, done: (text: string) => boolean,
): Promise<StreamedText> {
	const sent = performance.now();
	let text = '';
	let events = 0;
	let stopReason: StopReason = 'endOfGeneration';
	let timings: ServerTimings | undefined;
	let usagePrompt: StreamedText['usagePrompt'];
	let firstTextMs: number | undefined;
	for await (const event of target.http.postStream(path, body, { base: 'api', signal, timeoutMs: budget.answerMs, stallMs: budget.stallMs, model: target.model, modelSetting: 'bora.remote.completionModel' })) {
		events++;
		timings = timingsOf(event) ?? timings;
		usagePrompt = usageOf(event) ?? usagePrompt;
		const piece = textOf(event);
		if (piece !== '') {
			firstTextMs ??= performance.now() - sent;
			text += piece;
			if (done(text)) {
				stopReason = 'stopText';
				break;
			}
		}
		const finish = firstChoice(event)?.finish_reason;
		if (finish === 'length') {
			stopReason = 'maxTokens';
		}
	}
	signal.throwIfAborted();
	return { text, events, stopReason, ...(timings ? { timings } : {}), ...(usagePrompt ? { usagePrompt } : {}), ...(firstTextMs === undefined ? {} : { firstTextMs }) };
}

function usageOf(event: unknown): StreamedText['usagePrompt'] {
	const usage = typeof event === 'object' && event !== null ? (event as { usage?: { prompt_tokens?: unknown; prompt_tokens_details?: { cached_tokens?: unknown } } }).usage : undefined;
	if (typeof usage?.prompt_tokens !== 'number') {
		return undefined;
	}
	const cached = usage.prompt_tokens_details?.cached_tokens;
	return { total: usage.prompt_tokens, ...(typeof cached === 'number' ? { cached } : {}) };
}

/** Stats in the local engine's terms; the prompt's cost is the server's own count where it reports one. */
function statsOf(streamed: StreamedText, started: number, known: Pick<CompletionStats, 'promptTokens' | 'mode' | 'extraContextTokens' | 'extraContextChunks'>): CompletionStats {
	const { timings, usagePrompt } = streamed;
	const totalMs = performance.now() - started;
	const cached = timings?.cached ?? usagePrompt?.cached ?? 0;
	const promptTokens = timings?.promptEvaluated !== undefined ? timings.promptEvaluated + cached : usagePrompt?.total ?? known.promptTokens;
	const promptMs = timings?.promptMs ?? streamed.firstTextMs ?? totalMs;
	return {
		...known,
		promptTokens,
		cachedPromptTokens: cached,
		generatedTokens: timings?.predicted ?? streamed.events,
		promptMs: Math.round(promptMs),
		generationMs: Math.round(timings?.predictedMs ?? Math.max(0, totalMs - promptMs)),
		stopReason: streamed.stopReason,
	};
}
