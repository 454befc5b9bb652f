import assert from 'node:assert/strict';
import { describeActiveModels, describeHardware, toTreeLabel } from '../../src/extension/models/describeModels';
import type { HardwareInfo, ModelInfo, RuntimeState } from '../../src/shared/protocol';

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

describe('Models view: labels that read in full at the default width', () => {
	/** About what a 300 px side bar shows of a label at the second level, after the icon. */
	const fitsDefaultWidth = 24;

	it('each row of In use and This machine is a short label, the details in the description and the tooltip', () => {
		const state: RuntimeState = { kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 1, forecast, chatModel: { ...model, name: 'Devstral Small 2 (24B)', path: '/m/d.gguf' } };
		const hardware: HardwareInfo = { backend: 'cpu', gpuNames: [], vramFree: 0, vramTotal: 0, ramFree: 25e9, ramTotal: 32e9, unifiedMemory: false, cpuModel: 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz', cpuCores: 2, cpuThreads: 2, platform: 'linux', arch: 'x64' };
		const lines = [
			...describeActiveModels(state, { chat: '/m/d.gguf', mmproj: '/m/mmproj-d.gguf' }).map(line => toTreeLabel(line.text, line.tooltip)),
			...describeHardware(hardware).map(text => toTreeLabel(text)),
			toTreeLabel('Cannot ask the runtime: connection closed'),
			toTreeLabel('No model yet: download one that fits below, or pick a local GGUF.'),
		];
		assert.deepEqual(lines.map(line => line.label), ['Completion', 'Chat', 'Vision', 'GPU', 'RAM', 'CPU', 'Cannot ask the runtime', 'No model yet']);
		assert.ok(lines.every(line => line.label.length <= fitsDefaultWidth));
		assert.equal(lines[0]!.description, 'Qwen2.5 Coder 1.5B · ≈ 870 ms per suggestion on this machine');
		assert.equal(lines[5]!.description, 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz · 2 cores, 2 threads');
		assert.match(lines[0]!.tooltip, /^Completion: Qwen2\.5 Coder 1\.5B · ≈ 870 ms per suggestion on this machine\n\/m\/q\.gguf\n/, 'the tooltip has the whole line, then the details');
	});

	it('a line without a short "Role: " prefix stays whole', () => {
		assert.deepEqual(toTreeLabel('None yet'), { label: 'None yet', tooltip: 'None yet' });
		assert.equal(toTreeLabel('A sentence that is far too long to be a label: then more').label, 'A sentence that is far too long to be a label: then more');
	});
});
