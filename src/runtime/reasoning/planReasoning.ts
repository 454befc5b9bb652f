import type { ResolveChatWrapperWithModelOptions } from 'node-llama-cpp';
import type { ReasoningEffort, ReasoningSupport } from '../../shared/types';

/** Thought-token budgets for the efforts that think. */
export interface ThoughtBudgets {
	/** Defaults to `512`, or a quarter of Medium's budget when that is smaller. */
	readonly low?: number;
	/** Defaults to `2048`, or half of High's budget when that is smaller (a context under 8,192 tokens). */
	readonly medium?: number;
	/**
	 * `Infinity` or a number. Defaults to `undefined`: as much as the context allows while leaving
	 * room for the answer (half the chat context below 8,192 tokens, else three quarters).
	 */
	readonly high?: number;
}

export const defaultThoughtBudgets = { low: 512, medium: 2048 } as const;

/**
 * The budgets actually used in a chat context of `contextSize` tokens. A default Medium or Low stays
 * below the next level up, so High > Medium > Low at every context size: on a 4,096-token context
 * High is 2,048 and Medium 1,024, where both used to be 2,048. Budgets given explicitly are kept.
 */
export function resolveThoughtBudgets(budgets: ThoughtBudgets, contextSize: number): Required<ThoughtBudgets> {
	const high = budgets.high ?? highThoughtBudget(contextSize);
	const medium = budgets.medium ?? Math.min(defaultThoughtBudgets.medium, Math.floor(high / 2));
	const low = budgets.low ?? Math.min(defaultThoughtBudgets.low, Math.floor(medium / 4));
	return { low, medium, high };
}

/** High's default: as much as the context allows while leaving room for the answer. */
export function highThoughtBudget(contextSize: number): number {
	return Math.ceil(contextSize * (contextSize < smallContextSize ? 0.5 : 0.75));
}

/** Below this many tokens High keeps half the context for the answer rather than a quarter. */
export const smallContextSize = 8192;

/** How one chat request steers the model's reasoning. */
export interface ReasoningPlan {
	/** Passed to node-llama-cpp's `resolveChatWrapper`; the model's own template still does the rendering. */
	readonly wrapperSettings: NonNullable<ResolveChatWrapperWithModelOptions['customWrapperSettings']>;
	/** Equal keys mean equal wrapper settings, so a resolved wrapper can be reused. */
	readonly wrapperKey: string;
	/** Thought tokens allowed; `undefined` when unbounded. `0` closes any thought at once. */
	readonly thoughtBudget: number | undefined;
	/** Said to the user with the answer when the effort could not be applied as asked. */
	readonly notice?: string;
}

export interface PlanReasoningOptions {
	readonly support: ReasoningSupport;
	readonly effort: ReasoningEffort;
	/** Defaults to {@link defaultThoughtBudgets}. */
	readonly budgets?: ThoughtBudgets;
	/** Tokens of the chat context, for the "high" default budget. */
	readonly contextSize: number;
}

/**
 * Maps the user's Off/Low/Medium/High to what each family understands (facts in the model-formats
 * notes): Mistral Small 4 knows only `reasoning_effort` "none" and "high", so Low/Medium/High all
 * render "high" and differ by thought budget; Qwen3 switches `enable_thinking`; gpt-oss has native
 * low/medium/high and cannot turn reasoning off; Magistral always reasons, so Off becomes the
 * smallest budget. Off uses a budget of 0 where thinking can be turned off, so a model that starts
 * a thought anyway has it closed at once and answers.
 */
export function planReasoning({ support, effort, budgets = {}, contextSize }: PlanReasoningOptions): ReasoningPlan {
	const { low, medium, high } = resolveThoughtBudgets(budgets, contextSize);
	const budgetOf = (level: Exclude<ReasoningEffort, 'off'>): number | undefined => {
		const budget = level === 'low' ? low : level === 'medium' ? medium : high;
		return budget === Infinity ? undefined : budget;
	};
	if (!support.supported) {
		return {
			wrapperSettings: {},
			wrapperKey: 'plain',
			thoughtBudget: undefined,
			notice: effort === 'off' ? undefined : `Reasoning effort "${effort}" was ignored: ${support.reason}`,
		};
	}
	const thinks = effort !== 'off';
	switch (support.family) {
		case 'mistral4': {
			const reasoningEffort = thinks ? 'high' : 'none';
			return {
				wrapperSettings: { jinjaTemplate: { reasoning: thinks, additionalRenderParameters: { reasoning_effort: reasoningEffort } } },
				wrapperKey: `mistral4/${reasoningEffort}`,
				thoughtBudget: thinks ? budgetOf(effort) : 0,
			};
		}
		case 'qwen3':
			return {
				wrapperSettings: {
					jinjaTemplate: { reasoning: thinks, additionalRenderParameters: { enable_thinking: thinks } },
					qwen: { thoughts: thinks ? 'auto' : 'discourage' },
				},
				wrapperKey: `qwen3/${thinks}`,
				thoughtBudget: thinks ? budgetOf(effort) : 0,
			};
		case 'gptOss': {
			const level = thinks ? effort : 'low';
			return {
				wrapperSettings: {
					jinjaTemplate: { additionalRenderParameters: { reasoning_effort: level } },
					harmony: { reasoningEffort: level },
				},
				wrapperKey: `gptOss/${level}`,
				// The model's own levels already bound its reasoning; a budget cap still guards the answer.
				thoughtBudget: budgetOf('high'),
				notice: thinks ? undefined : 'This model cannot turn reasoning off; it used low effort.',
			};
		}
		case 'magistral':
			return {
				wrapperSettings: {},
				wrapperKey: 'magistral',
				thoughtBudget: budgetOf(thinks ? effort : 'low'),
				notice: thinks ? undefined : 'This model always reasons; Off uses the smallest thinking budget.',
			};
		default:
			void (support.family satisfies never);
			throw new Error(`Unknown reasoning family ${String(support.family)}`);
	}
}
