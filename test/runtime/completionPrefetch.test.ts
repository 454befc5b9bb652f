import assert from 'node:assert/strict';
import { Runtime } from '../../src/runtime';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';

/** A file long enough for prompt reuse to matter. */
const linesAbove = Array.from({ length: 120 }, (_, i) => `const value${i} = compute(${i}, "row ${i}");`).join('\n') + '\n';

for (const fixture of ['mistral4Fim', 'qwenFim'] as const) {
	describe(`the prefetch after acceptance extends the cached prompt (${fixture}, real model)`, function () {
		this.timeout(120_000);
		let runtime: Runtime;
		before(async () => {
			runtime = new Runtime({ forecastDelayMs: false });
			await runtime.configure({ modelPath: await ensureFixtureModel(fixture), completionEnabled: true, threads: 2, gpu: 'off' });
		});
		after(() => runtime.dispose());

		it('the state after accepting evaluates only the accepted text (and a few suffix tokens), even after alternatives ran', async () => {
			const shown = await runtime.complete({ prefix: linesAbove + canonicalFim.prefix, suffix: canonicalFim.suffix, candidates: 3 });
			assert.equal(shown.text, canonicalFim.middle);
			const prefetch = await runtime.complete({ prefix: linesAbove + canonicalFim.prefix + shown.text, suffix: canonicalFim.suffix, candidates: 1 });
			const evaluated = prefetch.stats.promptTokens - prefetch.stats.cachedPromptTokens;
			// Mistral puts the suffix first: pure prefix reuse. Qwen keeps 32 suffix tokens after the prefix.
			const limit = (fixture === 'mistral4Fim' ? 0 : 32) + 12;
			assert.ok(evaluated <= limit, `${evaluated} of ${prefetch.stats.promptTokens} prompt tokens evaluated`);
		});
	});
}
