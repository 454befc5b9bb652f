import assert from 'node:assert/strict';
import { noReasoningReason } from '../../src/runtime/reasoning/detectReasoning';
import { planReasoning } from '../../src/runtime/reasoning/planReasoning';
import type { ReasoningEffort, ReasoningFamily } from '../../src/shared/types';

const contextSize = 8192;
const plan = (family: ReasoningFamily, effort: ReasoningEffort) =>
	planReasoning({ support: { supported: true, family, canTurnOff: family === 'mistral4' || family === 'qwen3' }, effort, contextSize });

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
