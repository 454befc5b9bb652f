import assert from 'node:assert/strict';
import { ChatEngine } from '../../src/runtime/chat/ChatEngine';
import { CompletionEngine, createLlama, loadModel, type LlamaHandle, type LoadedModel } from '../../src/runtime';
import { canonicalFim, chatAnswer, endlessFim, ensureFixtureModel } from '../models/fixtures';

describe('generation threads (real model)', function () {
	this.timeout(120_000);
	let handle: LlamaHandle;
	let loaded: LoadedModel;
	let engine: CompletionEngine;

	before(async () => {
		handle = await createLlama({ gpu: 'off', threads: 2 });
		loaded = await loadModel(handle, { modelPath: await ensureFixtureModel('mistral4Fim') });
		engine = new CompletionEngine(loaded, { threads: 2, generationThreads: 1 });
	});
	after(async () => {
		await engine.dispose();
		await loaded.dispose();
		await handle.llama.dispose();
	});

	it('generates with fewer threads than the prompt got, and gives them back after', async () => {
		assert.equal(handle.llama.maxThreads, 2);
		const whileGenerating: number[] = [];
		const result = await engine.complete({ ...canonicalFim, maxTokens: 16, onToken: () => whileGenerating.push(handle.llama.maxThreads) });
		assert.equal(result.text, canonicalFim.middle);
		assert.ok(whileGenerating.length > 1);
		assert.deepEqual(new Set(whileGenerating), new Set([1]));
		assert.equal(handle.llama.maxThreads, 2, 'restored once generation ended');
	});

	it('gives them back when the request is aborted mid-generation', async () => {
		const controller = new AbortController();
		let generated = 0;
		const request = engine.complete({
			prefix: endlessFim.prefix, suffix: '', maxTokens: 1000, signal: controller.signal,
			onToken: () => {
				if (++generated === 3) {
					controller.abort();
				}
			},
		});
		await assert.rejects(request, (error: Error) => error.name === 'AbortError');
		assert.equal(handle.llama.maxThreads, 2);
	});

	it('chat generates with fewer threads too, and gives them back after', async () => {
		await using chat = new ChatEngine(loaded, { threads: 2, generationThreads: 1 });
		const whileAnswering: number[] = [];
		const result = await chat.chat({ history: [], message: 'Hi', effort: 'off', onChunk: () => whileAnswering.push(handle.llama.maxThreads) });
		assert.equal(result.answer, chatAnswer);
		assert.ok(whileAnswering.length > 0 && whileAnswering.every(threads => threads === 1), String(whileAnswering));
		assert.equal(handle.llama.maxThreads, 2);
	});

	it('a user-set thread count is used for both', async () => {
		const fixed = await createLlama({ gpu: 'off', threads: 2 });
		const automatic = await createLlama({ gpu: 'off' });
		try {
			assert.equal(fixed.generationThreads, 2);
			assert.equal(automatic.generationThreads, Math.max(1, automatic.threads - 1));
		} finally {
			await fixed.llama.dispose();
			await automatic.llama.dispose();
		}
	});
});
