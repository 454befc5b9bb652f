import { defaultChatSystemPrompt, type ChatEngineRequest, type ChatEngineResult } from '../chat/ChatEngine';
import { emptyAnswerNotice } from '../chat/emptyAnswerNotice';
import { RuntimeError } from '../errors/RuntimeError';
import type { ThoughtBudgets } from '../reasoning/planReasoning';
import type { ChatTurn, ReasoningSupport } from '../../shared/types';
import { firstChoice, isRecord } from './jsonShape';
import type { RemoteServerFacts } from './probeServer';
import type { RemoteHttp } from './RemoteHttp';
import { planRemoteReasoning } from './remoteReasoning';

/** The chat model on the server, as the probe found it. */
export interface RemoteChatTarget {
	readonly http: RemoteHttp;
	readonly server: RemoteServerFacts;
	readonly model: string;
	readonly contextLength: number;
	readonly reasoning: ReasoningSupport;
	readonly thoughtBudgets?: ThoughtBudgets;
}

export interface RemoteChatBudget {
	/** Most ms until the answer starts (a long history on a busy server takes a while). */
	readonly answerMs: number;
	/** Most ms between two streamed events. */
	readonly stallMs: number;
}

/** The image of a question, already checked, as a data URL. */
export interface RemoteImagePart {
	readonly dataUrl: string;
}

export interface RemoteChatRequest extends ChatEngineRequest {
	/** An image the new message asks about. Defaults to none. */
	readonly image?: RemoteImagePart;
}

/**
 * One chat answer from the remote engine over `/v1/chat/completions` with SSE: the client-held
 * history, the effort mapped per family (see `planRemoteReasoning`), thought from `delta.reasoning`
 * (vLLM) or `delta.reasoning_content` (llama-server) and answer from `delta.content`, each streamed
 * through `onChunk`. Stop (the signal) cancels the request; a stream that stops mid-answer rejects
 * with a typed error after its chunks went out, so the client keeps the partial turn.
 */
export async function remoteChat(target: RemoteChatTarget, request: RemoteChatRequest, budget: RemoteChatBudget): Promise<ChatEngineResult> {
	const { effort, signal, onChunk } = request;
	const plan = planRemoteReasoning({
		support: target.reasoning, effort, serverKind: target.server.kind, contextLength: target.contextLength,
		...(target.thoughtBudgets ? { budgets: target.thoughtBudgets } : {}),
	});
	const llama = target.server.kind === 'llama-server';
	const body = {
		model: target.model, stream: true, messages: messagesOf(request, llama), ...plan.body,
		...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
		...(llama ? { cache_prompt: true } : {}),
	};
	let thought = '';
	let answer = '';
	let thoughtTokens = 0;
	const budgetField = plan.thoughtBudget === undefined ? {} : { thoughtBudget: plan.thoughtBudget };
	try {
		for await (const event of target.http.postStream('/chat/completions', body, {
			base: 'api', timeoutMs: budget.answerMs, stallMs: budget.stallMs, model: target.model, modelSetting: 'bora.remote.chatModel', ...(signal ? { signal } : {}),
		})) {
			const delta = firstChoice(event)?.delta;
			if (!isRecord(delta)) {
				continue;
			}
			const thinking = typeof delta.reasoning === 'string' ? delta.reasoning : typeof delta.reasoning_content === 'string' ? delta.reasoning_content : '';
			if (thinking !== '') {
				thought += thinking;
				thoughtTokens++;
				onChunk?.({ kind: 'thought', text: thinking, thoughtTokens, ...budgetField });
			}
			if (typeof delta.content === 'string' && delta.content !== '') {
				answer += delta.content;
				onChunk?.({ kind: 'answer', text: delta.content, thoughtTokens, ...budgetField });
			}
		}
	} catch (error) {
		signal?.throwIfAborted();
		if (error instanceof RuntimeError && (answer !== '' || thought !== '')) {
			// The chunks already went out: the turn keeps them, and the error says it was cut.
			throw new RuntimeError({ ...error.toInfo(), message: `${error.message} The answer so far is kept.` }, { cause: error });
		}
		throw error;
	}
	signal?.throwIfAborted();
	const budgetExhausted = plan.thoughtBudget !== undefined && plan.thoughtBudget > 0 && thoughtTokens >= plan.thoughtBudget;
	const empty = answer.trim() === '' ? emptyAnswerNotice({ effort, support: target.reasoning, thoughtStarted: thought !== '', budgetExhausted }) : undefined;
	const notice = [plan.notice, empty].filter(Boolean).join(' ');
	return { answer, thought, thoughtTokens, ...budgetField, budgetExhausted, ...(notice ? { notice } : {}) };
}

/** The system message (always one: some templates add a long default of their own without it), the history, the new message. */
function messagesOf({ history, message, image }: RemoteChatRequest, llama: boolean): unknown[] {
	const turn = (item: ChatTurn) => [
		{ role: 'user', content: item.user },
		// llama-server renders an earlier turn's reasoning back through the template, as the local engine does.
		{ role: 'assistant', content: item.assistant, ...(llama && item.thought ? { reasoning_content: item.thought } : {}) },
	];
	const content = image ? [{ type: 'text', text: message }, { type: 'image_url', image_url: { url: image.dataUrl } }] : message;
	return [{ role: 'system', content: defaultChatSystemPrompt }, ...history.flatMap(turn), { role: 'user', content }];
}
