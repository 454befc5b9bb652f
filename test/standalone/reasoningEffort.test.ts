import assert from 'node:assert/strict';
import { noReasoningReason } from '../../src/runtime/reasoning/detectReasoning';
import { emptyAnswerNotice } from '../../src/runtime/chat/emptyAnswerNotice';
import { planReasoning, resolveThoughtBudgets } from '../../src/runtime/reasoning/planReasoning';
import type { ReasoningEffort, ReasoningFamily } from '../../src/shared/types';

const contextSize = 8192;
const plan = (family: ReasoningFamily, effort: ReasoningEffort) =>
	planReasoning({ support: { supported: true, family, canTurnOff: family === 'mistral4' || family === 'qwen3' }, effort, contextSize });

describe('the note for an empty answer', () => {
	const thinks = { supported: true, family: 'qwen3', canTurnOff: true } as const;
	it('suggests a higher effort only below High and only where the effort does something', () => {
		const none = { thoughtStarted: false, budgetExhausted: false };
		assert.equal(emptyAnswerNotice({ effort: 'medium', support: thinks, ...none }), 'The model wrote no answer. Ask again or rephrase the question; a higher reasoning effort can help.');
		assert.equal(emptyAnswerNotice({ effort: 'high', support: thinks, ...none }), 'The model wrote no answer. Ask again or rephrase the question.');
		assert.equal(emptyAnswerNotice({ effort: 'low', support: { supported: false, reason: noReasoningReason }, ...none }), 'The model wrote no answer. Ask again or rephrase the question.');
	});

	it('says whether the thought stopped by itself or ran out of budget', () => {
		assert.match(emptyAnswerNotice({ effort: 'high', support: thinks, thoughtStarted: true, budgetExhausted: false }), /^The model stopped after thinking without writing an answer\. Ask again or rephrase the question\.$/);
		assert.match(emptyAnswerNotice({ effort: 'low', support: thinks, thoughtStarted: true, budgetExhausted: true }), /whole thinking budget.*higher reasoning effort can help/);
	});
});

describe('reasoning effort per model family', () => {
	it('mistral4: Off renders "none" with a zero budget; Low/Medium/High render "high" with 512 / 2048 / ¾ of the context', () => {
		assert.deepEqual(plan('mistral4', 'off').wrapperSettings.jinjaTemplate?.additionalRenderParameters, { reasoning_effort: 'none' });
		assert.equal(plan('mistral4', 'off').thoughtBudget, 0);
		for (const effort of ['low', 'medium', 'high'] as const) {
			assert.deepEqual(plan('mistral4', effort).wrapperSettings.jinjaTemplate?.additionalRenderParameters, { reasoning_effort: 'high' });
		}
		assert.deepEqual(['low', 'medium', 'high'].map(effort => plan('mistral4', effort as ReasoningEffort).thoughtBudget), [512, 2048, 6144]);
		assert.equal(planReasoning({ support: { supported: true, family: 'mistral4', canTurnOff: true }, effort: 'high', contextSize: 4096 }).thoughtBudget, 2048);
	});

	it('High > Medium > Low at every context size: a small context shrinks the default Medium and Low below High', () => {
		const support = { supported: true, family: 'mistral4', canTurnOff: true } as const;
		const budgetsAt = (size: number) => (['low', 'medium', 'high'] as const).map(effort => planReasoning({ support, effort, contextSize: size }).thoughtBudget);
		assert.deepEqual(budgetsAt(4096), [256, 1024, 2048], 'the issue\'s 4,096-token model: High was 2,048 and so was Medium');
		assert.deepEqual(budgetsAt(2048), [128, 512, 1024]);
		assert.deepEqual(budgetsAt(8192), [512, 2048, 6144], 'a large context keeps the documented defaults');
		for (let size = 64; size <= 131072; size = Math.ceil(size * 1.37)) {
			const { low, medium, high } = resolveThoughtBudgets({}, size);
			assert.ok(high > medium && medium > low && low > 0, `context ${size}: ${low} / ${medium} / ${high}`);
		}
	});

	it('explicit budgets are kept as given; only the defaults adapt', () => {
		assert.deepEqual(resolveThoughtBudgets({ low: 8, medium: 4000 }, 4096), { low: 8, medium: 4000, high: 2048 });
		assert.deepEqual(resolveThoughtBudgets({ high: 100 }, 8192), { low: 12, medium: 50, high: 100 });
	});

	it('qwen3 switches enable_thinking; gpt-oss maps Off to low; Magistral maps Off to the smallest budget', () => {
		assert.deepEqual(plan('qwen3', 'off').wrapperSettings.jinjaTemplate?.additionalRenderParameters, { enable_thinking: false });
		assert.deepEqual(plan('qwen3', 'medium').wrapperSettings.jinjaTemplate?.additionalRenderParameters, { enable_thinking: true });
		assert.equal(plan('qwen3', 'medium').thoughtBudget, 2048);
		assert.deepEqual(plan('gptOss', 'off').wrapperSettings.harmony, { reasoningEffort: 'low' });
		assert.deepEqual(plan('gptOss', 'medium').wrapperSettings.jinjaTemplate?.additionalRenderParameters, { reasoning_effort: 'medium' });
		assert.match(plan('gptOss', 'off').notice ?? '', /cannot turn reasoning off/);
		assert.equal(plan('magistral', 'off').thoughtBudget, 512);
		assert.match(plan('magistral', 'off').notice ?? '', /always reasons/);
	});

	it('budgets can be overridden, and Infinity means unbounded', () => {
		const support = { supported: true, family: 'mistral4', canTurnOff: true } as const;
		assert.equal(planReasoning({ support, effort: 'low', budgets: { low: 8 }, contextSize }).thoughtBudget, 8);
		assert.equal(planReasoning({ support, effort: 'high', budgets: { high: Infinity }, contextSize }).thoughtBudget, undefined);
	});

	it('a model without reasoning control ignores the effort and says so', () => {
		const unsupported = planReasoning({ support: { supported: false, reason: noReasoningReason }, effort: 'high', contextSize });
		assert.equal(unsupported.thoughtBudget, undefined);
		assert.equal(unsupported.notice, `Reasoning effort "high" was ignored: ${noReasoningReason}`);
		assert.equal(planReasoning({ support: { supported: false, reason: noReasoningReason }, effort: 'off', contextSize }).notice, undefined);
	});
});
