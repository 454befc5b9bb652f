import assert from 'node:assert/strict';
import { Runtime, type RuntimeState } from '../../src/runtime';
import { ensureFixtureModel } from '../models/fixtures';

type Ready = Extract<RuntimeState, { kind: 'ready' }>;

describe('a separate chat model is described before its first chat', function () {
	this.timeout(120_000);
	let runtime: Runtime;
	after(() => runtime?.dispose());

	it('reports its reasoning control in the ready state, follows changes, and drops it when chat shares the model', async () => {
		const [completionModel, reasoningChat, plainChat] = await Promise.all(['qwenFim', 'mistral4Chat', 'noFim'].map(name => ensureFixtureModel(name as 'qwenFim')));
		runtime = new Runtime();
		const base = { modelPath: completionModel, completionEnabled: true, threads: 2, gpu: 'off' } as const;
		await runtime.configure({ ...base, chatModelPath: reasoningChat });
		const ready = runtime.state as Ready;
		assert.equal(ready.kind, 'ready');
		assert.equal(ready.model.reasoning.supported, false, 'the completion model has no reasoning control');
		assert.deepEqual(ready.chatModel?.reasoning, { supported: true, family: 'mistral4', canTurnOff: true });
		assert.equal(runtime.loadedModelCount, 1, 'described from its header, not loaded');

		await runtime.configure({ ...base, chatModelPath: plainChat });
		assert.equal((runtime.state as Ready).chatModel?.reasoning.supported, false);

		await runtime.configure({ ...base, chatModelPath: '' });
		assert.equal((runtime.state as Ready).chatModel, undefined);
	});
});
