import assert from 'node:assert/strict';
import { describeEffortControl, effectiveEffort } from '../../src/extension/chat/effortControl';
import type { ModelInfo } from '../../src/shared/protocol';

const base: ModelInfo = {
	name: 'Completion Model', path: '/m/c.gguf', architecture: 'qwen2', sizeBytes: 1, trainContextSize: 4096, hasChatTemplate: true,
	fim: { supported: true, format: 'qwen' }, reasoning: { supported: false, reason: 'No switch.' },
};
const ready = (extra: Partial<{ chatModel: ModelInfo }> = {}) => ({ kind: 'runtime', runtime: { kind: 'ready', model: base, backend: 'cpu', threads: 2, loadMs: 1, ...extra } } as const);

describe('reasoning-effort control', () => {
	it('is disabled with the reason for a model without reasoning', () => {
		assert.equal(describeEffortControl(ready(), 'high').disabledReason, 'Completion Model has no reasoning effort: No switch.');
	});

	it('describes the separate chat model when there is one', () => {
		const magistral: ModelInfo = { ...base, name: 'Magistral', reasoning: { supported: true, family: 'magistral', canTurnOff: false } };
		const control = describeEffortControl(ready({ chatModel: magistral }), 'off');
		assert.equal(control.disabledReason, undefined);
		assert.equal(control.levels.find(level => level.value === 'off')?.disabledReason, 'Magistral always reasons; its thinking cannot be turned off.');
		assert.equal(effectiveEffort(control), 'low', 'Off on an always-reasoning model sends Low');
	});

	it('says what each level allows, High included on a small context, in the level\'s description', () => {
		const mistral: ModelInfo = { ...base, name: 'Mistral', reasoning: { supported: true, family: 'mistral4', canTurnOff: true } };
		const levels = describeEffortControl(ready({ chatModel: mistral }), 'high').levels;
		assert.match(levels.find(level => level.value === 'high')?.description ?? '', /^The longest thought .*half of it below 8,192 tokens \(2,048 thought tokens on a 4,096-token context\)/);
		assert.match(levels.find(level => level.value === 'medium')?.description ?? '', /half of High's on a context under 8,192 tokens/);
		assert.ok(levels.every(level => (level.description ?? '').length > 0));
	});
});
