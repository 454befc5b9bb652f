import assert from 'node:assert/strict';
import { ChatEngine, createLlama, loadModel, type LlamaHandle, type LoadedModel } from '../../src/runtime';
import { demoChat } from '../models/fixtures';
import { ensureDemoChatFixture } from '../models/vision/visionFixtures';

/**
 * The demo chat model thinks whatever the effort. At Off its thought budget is 0, so its first
 * thought token runs the budget out: LlamaChat closes the thought and renders the chat again, a
 * render nobody could do ahead (the history now holds what the model wrote), which the main thread
 * waits for while the template worker renders it. The demo e2e once lost its Off answer there: on a
 * busy machine the worker did not answer within the 50 ms the wait then allowed, and the chat failed
 * (see the template guard's standalone test for a worker slower than that).
 */
describe('a chat whose thought budget runs out (real model)', function () {
	this.timeout(120_000);
	let handle: LlamaHandle;
	let loaded: LoadedModel;

	before(async () => {
		handle = await createLlama({ gpu: 'off', threads: 1 });
		loaded = await loadModel(handle, { modelPath: (await ensureDemoChatFixture()).modelPath });
	});
	after(async () => {
		await loaded.dispose();
		await handle.llama.dispose();
	});

	it('at Off renders the chat once more while the main thread waits, and answers; at High everything was rendered ahead', async () => {
		await using engine = new ChatEngine(loaded, { threads: 1 });
		const high = await engine.chat({ history: [], message: 'What can you do?', effort: 'high' });
		assert.equal(high.answer, demoChat.answer);
		assert.equal(engine.synchronousTemplateRenders, 0);
		const off = await engine.chat({ history: [], message: 'And without thinking?', effort: 'off' });
		assert.equal(off.answer, demoChat.answer);
		assert.equal(off.thought, '');
		assert.equal(off.budgetExhausted, true, 'the budget ran out at the first thought token');
		assert.equal(engine.synchronousTemplateRenders, 1);
	});
});
