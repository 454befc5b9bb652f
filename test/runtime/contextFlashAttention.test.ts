import assert from 'node:assert/strict';
import type { LlamaContextSequence } from 'node-llama-cpp';
import { createLlama, loadModel, type LlamaHandle, type LoadedModel } from '../../src/runtime';
import { generateTokens } from '../../src/runtime/completion/generateTokens';
import { createFittingContext } from '../../src/runtime/loading/createFittingContext';
import { ensureBenchModel } from '../models/benchModels';

/*
 * The Mistral 4 bench model has multi-head latent attention: key heads wider than value heads,
 * for which node-llama-cpp 3.21.1 turns flash attention off by default although llama.cpp runs it
 * (and llama-server uses it). Bora's contexts leave the choice to llama.cpp.
 */
describe('context flash attention (real model, key and value heads of different sizes)', function () {
	this.timeout(180_000);
	let handle: LlamaHandle;
	let loaded: LoadedModel;

	before(async () => {
		handle = await createLlama({ gpu: 'off', threads: 2 });
		loaded = await loadModel(handle, { modelPath: await ensureBenchModel('benchMistral4') });
	});
	after(async () => {
		await loaded.dispose();
		await handle.llama.dispose();
	});

	it('is left to llama.cpp where node-llama-cpp would turn it off, and generates what an explicit flash attention context does', async () => {
		assert.equal(loaded.model.defaultContextFlashAttention, false, 'node-llama-cpp still turns it off for this model; if not, the override may go');
		const { context } = await createFittingContext(loaded, { contextSize: 512, fallbackContextSize: 512, threads: 2 });
		const explicit = await loaded.model.createContext({ contextSize: 512, sequences: 1, threads: 2, flashAttention: true });
		try {
			assert.equal(context.flashAttention, 'auto');
			const prompt = loaded.model.tokenize('function add(a, b) {\n\treturn a + b;\n}\n\nfunction sub(a, b) {\n');
			const generate = async (sequence: LlamaContextSequence) => (await generateTokens({ sequence, prompt, stopTokens: new Set(), maxTokens: 12 })).tokens;
			const auto = await generate(context.getSequence());
			assert.ok(auto.length > 0, 'it generates');
			assert.deepEqual(auto, await generate(explicit.getSequence()));
		} finally {
			await context.dispose();
			await explicit.dispose();
		}
	});
});
