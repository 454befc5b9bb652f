import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { CompletionEngine, createLlama, loadModel, type LlamaHandle, type LoadedModel } from '../../src/runtime';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';

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
