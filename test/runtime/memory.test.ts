import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { ChatEngine, CompletionEngine, createLlama, loadModel, type ChatTurn, type LlamaHandle, type LoadedModel } from '../../src/runtime';
import { canonicalFim, ensureFixtureModel, reasoningChat } from '../models/fixtures';

/** Waits for something the runtime does on its own clock; the suite's timeout bounds the wait. */
async function until(condition: () => boolean): Promise<void> {
	while (!condition()) {
		await delay(10);
	}
}

describe('completion memory', function () {
	this.timeout(60_000);
	let handle: LlamaHandle;
	let loaded: LoadedModel;

	before(async () => {
		handle = await createLlama({ gpu: 'off', threads: 2 });
		loaded = await loadModel(handle, { modelPath: await ensureFixtureModel('qwenFim') });
	});
	after(async () => {
		await loaded.dispose();
		await handle.llama.dispose();
	});

	it('allocates the KV cache on the first request, frees it when idle, and recreates it on demand', async () => {
		const engine = new CompletionEngine(loaded, { threads: handle.threads, idleReleaseMs: 50 });
		try {
			assert.equal(engine.holdsContext, false, 'nothing allocated before a request');
			assert.equal((await engine.complete(canonicalFim)).text, canonicalFim.middle);
			assert.equal(engine.holdsContext, true);
			await delay(1_000);
			assert.equal(engine.holdsContext, false, 'released after the idle time');
			assert.equal((await engine.complete(canonicalFim)).text, canonicalFim.middle);
		} finally {
			await engine.dispose();
		}
	});

	it('takes its thread count from the real core count unless told otherwise', async () => {
		const auto = await createLlama({ gpu: 'off' });
		try {
			assert.equal(auto.threads, auto.llama.cpuMathCores);
			assert.equal(auto.llama.maxThreads, auto.threads);
			assert.ok(auto.threads >= 1 && auto.threads <= availableParallelism());
		} finally {
			await auto.llama.dispose();
		}
		assert.equal(handle.threads, 2);
		assert.equal(handle.llama.maxThreads, 2);
	});
});

describe('chat memory', function () {
	this.timeout(120_000);
	let handle: LlamaHandle;
	let loaded: LoadedModel;

	before(async () => {
		handle = await createLlama({ gpu: 'off', threads: 2 });
		loaded = await loadModel(handle, { modelPath: await ensureFixtureModel('mistral4Chat') });
	});
	after(async () => {
		await loaded.dispose();
		await handle.llama.dispose();
	});

	it('frees the chat KV cache when idle, and the next turn answers from the client-held history', async () => {
		const engine = new ChatEngine(loaded, { threads: handle.threads, idleReleaseMs: 50 });
		try {
			assert.equal(engine.holdsContext, false, 'nothing allocated before the first answer');
			const first = await engine.chat({ history: [], message: 'Show me a constant', effort: 'high' });
			assert.equal(first.answer, reasoningChat.answer);
			assert.equal(engine.holdsContext, true);
			await until(() => !engine.holdsContext);
			const history: ChatTurn[] = [{ user: 'Show me a constant', thought: first.thought, assistant: first.answer }];
			const second = await engine.chat({ history, message: 'And another', effort: 'high' });
			assert.equal(second.thought, reasoningChat.thought);
			assert.equal(second.answer, reasoningChat.answer);
			assert.equal(engine.holdsContext, true, 'the next answer allocated it again');
		} finally {
			await engine.dispose();
		}
		assert.equal(engine.holdsContext, false, 'dispose frees it');
	});

	it('an answer asked for while the release is freeing the cache waits for it and answers in full', async () => {
		const engine = new ChatEngine(loaded, { threads: handle.threads, idleReleaseMs: 1 });
		try {
			for (let round = 0; round < 3; round++) {
				assert.equal((await engine.chat({ history: [], message: 'No thinking', effort: 'off' })).answer, reasoningChat.answer);
				// The release clears the handle first and then frees the context: ask again right then.
				await until(() => !engine.holdsContext);
				const answers = await Promise.all([
					engine.chat({ history: [], message: 'No thinking', effort: 'off' }),
					engine.chat({ history: [], message: 'No thinking', effort: 'off' }),
				]);
				assert.deepEqual(answers.map(result => result.answer), [reasoningChat.answer, reasoningChat.answer]);
			}
		} finally {
			await engine.dispose();
		}
	});
});
