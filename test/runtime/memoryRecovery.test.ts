import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createLlama, defaultRuntimeSettings, readHeaderInsights, Runtime } from '../../src/runtime';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';

/** GGUF value type of a 32-bit unsigned integer. */
const ggufUint32 = 4;

/**
 * A copy of a fixture whose header claims a trained context of `tokens`: the u32 value after the
 * `<arch>.context_length` key is rewritten in place, so no offset in the file moves. Such long-
 * context models exist (1M-token Qwen); this makes one small enough for a test.
 */
async function withTrainedContext(source: string, key: string, tokens: number, target: string): Promise<string> {
	const bytes = await readFile(source);
	const name = Buffer.from(key);
	const at = bytes.indexOf(name);
	assert.ok(at > 0 && bytes.readUInt32LE(at + name.length) === ggufUint32, `${key} is a u32 in ${source}`);
	bytes.writeUInt32LE(tokens, at + name.length + 4);
	await writeFile(target, bytes);
	return target;
}

describe('recovery from running out of memory (real node-llama-cpp memory checks, CPU)', function () {
	this.timeout(180_000);
	let dir: string;
	let modelPath: string;
	let tooLarge: number;

	before(async () => {
		dir = await mkdtemp(join(tmpdir(), 'bora-oom-'));
		modelPath = await withTrainedContext(await ensureFixtureModel('qwenFim'), 'qwen2.context_length', 2 ** 30, join(dir, 'long-context.gguf'));
		// The smallest power-of-two context that needs more than twice this machine's RAM and swap by
		// the estimate node-llama-cpp's memory safety check uses (V2, simulated in llama.cpp): the
		// check must refuse it on any machine that runs this.
		const handle = await createLlama({ gpu: 'off', threads: 1 });
		try {
			const insights = await readHeaderInsights(handle.llama, modelPath);
			const swap = await handle.llama.getSwapState();
			const memory = totalmem() + swap.maxSize;
			tooLarge = 2 ** 22;
			while ((await insights.estimateContextResourceRequirementsV2({ contextSize: tooLarge, modelGpuLayers: 0, sequences: 1 })).cpuRam < 2 * memory) {
				tooLarge *= 2;
			}
			assert.ok(tooLarge <= 2 ** 30, 'within the patched trained context');
		} finally {
			await handle.llama.dispose();
		}
	});
	after(() => rm(dir, { recursive: true, force: true }));

	it('falls back to a context that fits when bora.contextSize is too large, says so, and still completes', async () => {
		const runtime = new Runtime();
		try {
			await runtime.configure({ ...defaultRuntimeSettings, modelPath, gpu: 'off', threads: 1, contextSize: tooLarge });
			const loaded = runtime.state;
			assert.equal(loaded.kind, 'ready');
			assert.equal(loaded.contextSize, tooLarge, 'the setting is kept, not second-guessed at load');
			assert.equal(loaded.fit?.level, 'tooLarge', 'the header-based fit already judges it too large');

			const result = await runtime.complete({ prefix: canonicalFim.prefix, suffix: canonicalFim.suffix });
			assert.equal(result.text, canonicalFim.middle);
			const state = runtime.state;
			assert.equal(state.kind, 'ready');
			assert.match(state.notice ?? '', new RegExp(`Not enough memory for a ${tooLarge}-token context: using 4096 tokens instead`));
			assert.match(state.notice ?? '', /bora\.contextSize/);
		} finally {
			await runtime.dispose();
		}
	});

	it('chooses the context from the header-based fit when bora.contextSize is automatic', async () => {
		const runtime = new Runtime();
		try {
			await runtime.configure({ ...defaultRuntimeSettings, modelPath, gpu: 'off', threads: 1, contextSize: 0 });
			const state = runtime.state;
			assert.equal(state.kind, 'ready');
			assert.equal(state.fit?.basis, 'header');
			assert.equal(state.fit?.level, 'cpu');
			assert.equal(state.gpuLayers, 0);
			assert.equal(state.contextSize, 4096, 'completion\'s target, not the 1G-token trained context');
			assert.equal(state.fit?.placement?.contextSize, 4096);
			assert.equal(state.notice, undefined);
			assert.equal((await runtime.complete({ prefix: canonicalFim.prefix, suffix: canonicalFim.suffix })).text, canonicalFim.middle);
		} finally {
			await runtime.dispose();
		}
	});
});
