import { noReasoningReason } from '../reasoning/detectReasoning';
import { planReasoning, type ThoughtBudgets } from '../reasoning/planReasoning';
import type { RemoteServerKind } from '../../shared/protocol';
import type { ReasoningEffort, ReasoningSupport } from '../../shared/types';

/**
 * How the remote chat model's reasoning is steered, by the same facts as a local GGUF's
 * (`detectReasoning`): the chat template where the server shows it (llama-server's `/props`), else
 * the model's name (vLLM and SGLang do not show their template).
 */
export function detectRemoteReasoning(chatTemplate: string | undefined, modelName: string): ReasoningSupport {
	const template = chatTemplate ?? '';
	const name = modelName.toLowerCase();
	if (template.includes('<|channel|>') && template.includes('reasoning_effort') || /gpt-oss/.test(name)) {
		return { supported: true, family: 'gptOss', canTurnOff: false };
	}
	if (template.includes('reasoning_effort') && template.includes('[THINK]') || /mistral-small-4|mistral-small-2603/.test(name)) {
		return { supported: true, family: 'mistral4', canTurnOff: true };
	}
	if (template.includes('enable_thinking') || /qwen3(?!-coder)/.test(name)) {
		return { supported: true, family: 'qwen3', canTurnOff: true };
	}
	if (template.includes('[THINK]') || /magistral/.test(name)) {
		return { supported: true, family: 'magistral', canTurnOff: false };
	}
	return { supported: false, reason: noReasoningReason };
}

export interface RemoteReasoningPlan {
	/** Fields for the `/v1/chat/completions` body. */
	readonly body: Record<string, unknown>;
	/** The thought budget Bora asked the server to keep; absent when unbounded or when the budget is the server's. */
	readonly thoughtBudget?: number;
	readonly notice?: string;
}

export interface PlanRemoteReasoningOptions {
	readonly support: ReasoningSupport;
	readonly effort: ReasoningEffort;
	readonly serverKind: RemoteServerKind;
	/** The chat model's context on the server, for High's default budget. */
	readonly contextLength: number;
	/** Defaults to `defaultThoughtBudgets`. */
	readonly budgets?: ThoughtBudgets;
}

/**
 * The user's Off/Low/Medium/High as the server's request fields, mapped per family exactly as the
 * local engine maps them (`planReasoning`): Mistral Small 4 `reasoning_effort` none/high, Qwen3
 * `enable_thinking`, gpt-oss its own levels. The thought budget goes to llama-server as
 * `reasoning_budget_tokens` (0 for Off, which closes a thought the model opens anyway); other
 * servers have no such control, and the answer says the budget is the server's.
 */
export function planRemoteReasoning({ support, effort, serverKind, contextLength, budgets }: PlanRemoteReasoningOptions): RemoteReasoningPlan {
	const plan = planReasoning({ support, effort, contextSize: contextLength, ...(budgets ? { budgets } : {}) });
	if (!support.supported) {
		return { body: {}, ...(plan.notice ? { notice: plan.notice } : {}) };
	}
	const thinks = effort !== 'off';
	const body: Record<string, unknown> = {};
	switch (support.family) {
		case 'mistral4':
			body.reasoning_effort = thinks ? 'high' : 'none';
			break;
		case 'qwen3':
			body.chat_template_kwargs = { enable_thinking: thinks };
			break;
		case 'gptOss':
			body.reasoning_effort = thinks ? effort : 'low';
			break;
		case 'magistral':
			break;
		default:
			void (support.family satisfies never);
	}
	if (serverKind === 'llama-server') {
		if (plan.thoughtBudget !== undefined) {
			body.reasoning_budget_tokens = plan.thoughtBudget;
		}
		return { body, ...(plan.thoughtBudget === undefined ? {} : { thoughtBudget: plan.thoughtBudget }), ...(plan.notice ? { notice: plan.notice } : {}) };
	}
	const serversBudget = thinks || !support.canTurnOff ? `The thinking budget is the server's: ${serverKind === 'openai-compatible' ? 'this server' : serverKind} has no per-request limit Bora can set.` : undefined;
	const notice = [plan.notice, serversBudget].filter(Boolean).join(' ');
	return { body, ...(notice ? { notice } : {}) };
}
