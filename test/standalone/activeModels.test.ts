import assert from 'node:assert/strict';
import { describeActiveModels } from '../../src/extension/models/describeModels';
import type { ModelInfo, RuntimeState } from '../../src/shared/protocol';

const model: ModelInfo = {
	name: 'Qwen2.5 Coder 1.5B', path: '/m/q.gguf', architecture: 'qwen2', sizeBytes: 1e9, trainContextSize: 32768,
	hasChatTemplate: true, fim: { supported: true, format: 'qwen' }, reasoning: { supported: false, reason: 'No reasoning.' },
};
const forecast = { promptTokensPerSecond: 900, generationTokensPerSecond: 80, msPerSuggestion: 870, summary: '≈ 870 ms per suggestion on this machine', measuredAt: '2026-01-01T00:00:00.000Z' };

describe('Models view: the models in use', () => {
	it('the completion line carries the forecast; chat shares the model; no vision line without a projector', () => {
		const lines = describeActiveModels({ kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 1, forecast }, { chat: '' });
		assert.deepEqual(lines.map(line => line.text), [
			'Completion: Qwen2.5 Coder 1.5B · ≈ 870 ms per suggestion on this machine',
			'Chat: Qwen2.5 Coder 1.5B (same model, loaded once)',
		]);
		assert.match(lines[0]!.tooltip!, /Prompt 900 tokens\/s, generation 80 tokens\/s/);
	});

	it('before the measurement it says so; a separate chat model and the vision projector get their own lines', () => {
		const state: RuntimeState = { kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 1, chatModel: { ...model, name: 'Devstral Small 2', path: '/m/d.gguf' } };
		const lines = describeActiveModels(state, { chat: '/m/d.gguf', mmproj: '/m/mmproj-d.gguf' }, { available: true, modelPath: '/m/d.gguf', mmprojPath: '/m/mmproj-d.gguf', loaded: false, imageTokenBudget: 1024 });
		assert.deepEqual(lines.map(line => line.text), [
			'Completion: Qwen2.5 Coder 1.5B · measuring speed…',
			'Chat: Devstral Small 2 · loads on the first chat',
			'Vision: mmproj-d.gguf · loads on the first image',
		]);
		const unavailable = describeActiveModels(state, { chat: '/m/d.gguf', mmproj: '/m/mmproj-d.gguf' }, { available: false, reason: 'The vision addon is missing.' });
		assert.equal(unavailable.at(-1)!.text, 'Vision: mmproj-d.gguf · unavailable: The vision addon is missing.');
		assert.equal(unavailable.at(-1)!.icon, 'warning');
	});

	it('without a loaded model each role still shows its status', () => {
		assert.deepEqual(describeActiveModels({ kind: 'idle', reason: { code: 'noModel', message: 'No model.', action: 'Pick one.' } }, { chat: '/m/chat.gguf' }).map(line => line.text),
			['Completion: no model', 'Chat: chat.gguf']);
		assert.equal(describeActiveModels({ kind: 'loading', modelPath: '/m/q.gguf', progress: 0.5 }, { chat: '' })[0]!.text, 'Completion: loading 50%');
	});
});
