import assert from 'node:assert/strict';
import { describeSharedModels, describeSharedRuntime, otherWindows } from '../../src/extension/describeSharedRuntime';
import { describeState } from '../../src/extension/describeState';
import type { ModelInfo } from '../../src/shared/protocol';
import type { SharedRuntimeStatus } from '../../src/shared/sharedRuntime';

const status: SharedRuntimeStatus = {
	shared: true, pid: 4242, buildHash: '0123456789abcdef', keepAliveMinutes: 5,
	windows: [
		{ id: 'w1', name: 'api', pid: 100, focused: false, self: true, modelPaths: ['/m/mistral.gguf'] },
		{ id: 'w2', name: 'web', pid: 200, focused: true, self: false, modelPaths: ['/m/mistral.gguf', '/m/qwen.gguf'] },
	],
	models: [
		{ path: '/m/mistral.gguf', name: 'Mistral Small 4', windowIds: ['w1', 'w2'], bytes: 4.1e9 },
		{ path: '/m/qwen.gguf', name: 'Qwen2.5 Coder 1.5B', windowIds: ['w2'], bytes: 1.6e9 },
	],
};

const model: ModelInfo = {
	name: 'Mistral Small 4', path: '/m/mistral.gguf', architecture: 'mistral4', sizeBytes: 4e9, trainContextSize: 32768,
	hasChatTemplate: true, fim: { supported: true, format: 'mistral' }, reasoning: { supported: false, reason: 'No reasoning.' },
};

describe('shared runtime wording', () => {
	it('Show Runtime Status lists the process, the windows (this one marked) and each model with its users and memory', () => {
		assert.deepEqual(describeSharedRuntime(status), [
			'Shared runtime · pid 4242 · build 0123456789abcdef · stays 5 min after the last window disconnects',
			'Windows connected (2): api (this window), web (focused)',
			'Model: **Mistral Small 4** · 4.1 GB · used by api (this window), web',
			'Model: **Qwen2.5 Coder 1.5B** · 1.6 GB · used by web',
		]);
	});

	it('a keep-alive of 0 and a model no window uses any more are said as such', () => {
		const lines = describeSharedRuntime({ ...status, keepAliveMinutes: 0, models: [{ path: '/m/old.gguf', name: 'Old', windowIds: [], bytes: 1e9 }] });
		assert.match(lines[0]!, /exits when the last window disconnects$/);
		assert.equal(lines[2], 'Model: **Old** · 1.0 GB · used by no window (freed first when memory is needed)');
	});

	it('the tooltip and Models view get one short line per model', () => {
		assert.deepEqual(describeSharedModels(status), ['Mistral Small 4 · shared by 2 windows · 4.1 GB', 'Qwen2.5 Coder 1.5B · used by 1 window · 1.6 GB']);
		assert.deepEqual(describeSharedModels(undefined), []);
		assert.deepEqual(describeSharedModels({ ...status, shared: false }), [], 'a runtime of its own shares nothing');
	});

	it('a runtime of its own says so', () => {
		assert.deepEqual(describeSharedRuntime({ ...status, shared: false, windows: [status.windows[0]!], models: [status.models[0]!] }), [
			'Runtime of this window only (bora.runtime.shared is off) · pid 4242 · build 0123456789abcdef',
			'Model: **Mistral Small 4** · 4.1 GB',
		]);
	});

	it('Restart Runtime counts the other windows only', () => {
		assert.deepEqual(otherWindows(status).map(window => window.name), ['web']);
		assert.deepEqual(otherWindows({ ...status, shared: false }), []);
	});

	it('the status bar tooltip ends with the shared models while the runtime runs', () => {
		const ready = describeState({ kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 10 } }, true, undefined, { sharedRuntime: status });
		assert.deepEqual(ready.details.slice(-2), ['Shared runtime: Mistral Small 4 · shared by 2 windows · 4.1 GB', 'Shared runtime: Qwen2.5 Coder 1.5B · used by 1 window · 1.6 GB']);
		const stopped = describeState({ kind: 'stopped', message: 'gone' }, true, undefined, { sharedRuntime: status });
		assert.deepEqual(stopped.details, ['gone']);
	});
});
