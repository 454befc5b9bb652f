import assert from 'node:assert/strict';
import { IdlePrefill, Runtime, type FimContextChunk } from '../../src/runtime';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';

/** A chunk of plausible code, about 12 tokens a line. */
function chunkOf(name: string, lines: number): FimContextChunk {
	return { name, text: Array.from({ length: lines }, (_, i) => `export const ${name.replace(/\W/g, '_')}${i} = compute(${i}, "row ${i}");\n`).join('') };
}

for (const fixture of ['mistral4Fim', 'qwenFim'] as const) {
	describe(`completion extra context, evaluated ahead (${fixture}, real model)`, function () {
		this.timeout(120_000);
		let runtime: Runtime;
		before(async () => {
			runtime = new Runtime();
			await runtime.configure({ modelPath: await ensureFixtureModel(fixture), completionEnabled: true, threads: 2, gpu: 'off' });
			assert.equal(runtime.state.kind, 'ready');
		});
		after(() => runtime.dispose());

		it('after the prefill, the next request finds the whole extra context cached, and still answers right', async () => {
			const extraContext = [chunkOf('src/a.js', 20), chunkOf('src/b.js', 20)];
			const prefilled = await runtime.prefillCompletion({ extraContext, repoName: 'bora' });
			assert.ok(prefilled && prefilled.evaluatedTokens > 200 && !prefilled.aborted, JSON.stringify(prefilled));
			const result = await runtime.complete({ ...canonicalFim, fileName: 'src/add.js', extraContext, repoName: 'bora' });
			assert.equal(result.text, canonicalFim.middle);
			assert.equal(result.stats.extraContextChunks, 2);
			assert.ok(result.stats.extraContextTokens >= prefilled.evaluatedTokens - 1, JSON.stringify(result.stats));
			assert.ok(result.stats.cachedPromptTokens >= result.stats.extraContextTokens, JSON.stringify(result.stats));

			// Prefilling what is cached changes nothing: the file's tokens after it stay cached too.
			const again = await runtime.prefillCompletion({ extraContext, repoName: 'bora' });
			assert.deepEqual({ evaluated: again?.evaluatedTokens, aborted: again?.aborted }, { evaluated: 0, aborted: false });
			const repeated = await runtime.complete({ ...canonicalFim, fileName: 'src/add.js', extraContext, repoName: 'bora' });
			assert.equal(repeated.stats.cachedPromptTokens, repeated.stats.promptTokens - 1);
		});

		it('without the prefill, a changed context is evaluated by the request itself', async () => {
			const extraContext = [chunkOf('src/c.js', 20)];
			const cold = await runtime.complete({ ...canonicalFim, fileName: 'src/add.js', extraContext, repoName: 'bora' });
			assert.ok(cold.stats.cachedPromptTokens < cold.stats.extraContextTokens, JSON.stringify(cold.stats));
			assert.equal(cold.text, canonicalFim.middle);
		});

		it('a request arriving during the prefill stops it at the next batch and is answered', async () => {
			// About 1,500 tokens: three batches of 512.
			const extraContext = [chunkOf('src/d.js', 40), chunkOf('src/e.js', 40), chunkOf('src/f.js', 40)];
			const prefill = runtime.prefillCompletion({ extraContext, repoName: 'bora' });
			const request = runtime.complete({ ...canonicalFim, fileName: 'src/add.js', extraContext, repoName: 'bora' });
			const [prefilled, result] = await Promise.all([prefill, request]);
			assert.equal(prefilled?.aborted, true);
			assert.ok(prefilled.evaluatedTokens < result.stats.extraContextTokens, JSON.stringify({ prefilled, stats: result.stats }));
			assert.equal(result.text, canonicalFim.middle);
		});

		it('scheduled while idle: once it has settled, the next request starts from the cached context', async () => {
			const extraContext = [chunkOf('src/g.js', 20), chunkOf('src/h.js', 10)];
			const idle = new IdlePrefill({ idleMs: 0, prefill: async signal => !(await runtime.prefillCompletion({ extraContext, repoName: 'bora' }, signal))?.aborted });
			try {
				idle.markChanged();
				await idle.whenSettled();
				const result = await runtime.complete({ ...canonicalFim, fileName: 'src/add.js', extraContext, repoName: 'bora' });
				assert.ok(result.stats.extraContextTokens > 0);
				assert.ok(result.stats.cachedPromptTokens >= result.stats.extraContextTokens, JSON.stringify(result.stats));
			} finally {
				idle.dispose();
			}
		});
	});
}
