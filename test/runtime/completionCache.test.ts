import assert from 'node:assert/strict';
import { Runtime } from '../../src/runtime';
import { canonicalFim, ensureFixtureModel, type FixtureName } from '../models/fixtures';

/** A file of plausible code around the canonical case, so prompts are long enough for reuse to matter. */
const linesAbove = Array.from({ length: 120 }, (_, i) => `const value${i} = compute(${i}, "row ${i}");`).join('\n') + '\n';
const linesBelow = '\n' + Array.from({ length: 120 }, (_, i) => `export const after${i} = value${i} * 2;`).join('\n');

async function runtimeFor(fixture: FixtureName): Promise<Runtime> {
	// These tests are about the whole prompt's KV reuse; a cold request's short prompt has its own (coldWindow.test.ts).
	const runtime = new Runtime({ completionColdPromptTokens: 0 });
	await runtime.configure({ modelPath: await ensureFixtureModel(fixture), completionEnabled: true, threads: 2, gpu: 'off' });
	assert.equal(runtime.state.kind, 'ready');
	return runtime;
}

for (const fixture of ['mistral4Fim', 'qwenFim'] as const) {
	describe(`completion KV reuse while typing (${fixture}, real model)`, function () {
		this.timeout(120_000);
		let runtime: Runtime;
		before(async () => { runtime = await runtimeFor(fixture); });
		after(() => runtime.dispose());

		const suffix = canonicalFim.suffix + linesBelow;
		const typedUpTo = (chars: number) => linesAbove + canonicalFim.prefix.slice(0, chars);

		it('typing one character re-evaluates only a handful of tokens, and the answer is right', async () => {
			const before = await runtime.complete({ prefix: typedUpTo(canonicalFim.prefix.length - 1), suffix });
			assert.ok(before.stats.promptTokens > 400, `a long prompt (${before.stats.promptTokens})`);
			const typed = await runtime.complete({ prefix: typedUpTo(canonicalFim.prefix.length), suffix });
			assert.equal(typed.text, canonicalFim.middle);
			const evaluated = typed.stats.promptTokens - typed.stats.cachedPromptTokens;
			// Mistral puts the suffix first: pure prefix reuse. Qwen keeps 32 suffix tokens after the prefix.
			const limit = fixture === 'mistral4Fim' ? 4 : 32 + 4;
			assert.ok(evaluated <= limit, `${evaluated} tokens evaluated of ${typed.stats.promptTokens}`);
		});

		it('an edit far above the cursor is seen: the cache is not reused past it and the answer follows the new text', async () => {
			await runtime.complete({ prefix: typedUpTo(canonicalFim.prefix.length), suffix });
			const edited = await runtime.complete({ prefix: '// edited\n' + typedUpTo(canonicalFim.prefix.length), suffix });
			// Only what lies before the edit (suffix-side text) may come from the cache; the whole prefix is new.
			const evaluated = edited.stats.promptTokens - edited.stats.cachedPromptTokens;
			assert.ok(evaluated > 1000, `${evaluated} of ${edited.stats.promptTokens} evaluated after an edit at the top`);
			assert.equal(edited.text, canonicalFim.middle);
			if (fixture !== 'mistral4Fim') {
				return; // the Qwen fixture answers after <|fim_middle|> whatever the prefix says
			}
			// And another text again: the engine must not answer from the edited state's cache.
			const unedited = await runtime.complete({ prefix: typedUpTo(canonicalFim.prefix.length - 2), suffix });
			assert.notEqual(unedited.text, canonicalFim.middle, 'a different prefix end gives a different answer');
		});

		it('a cancelled request leaves the cache usable for the next one', async () => {
			const controller = new AbortController();
			controller.abort();
			await assert.rejects(runtime.complete({ prefix: typedUpTo(canonicalFim.prefix.length), suffix, signal: controller.signal }));
			const next = await runtime.complete({ prefix: typedUpTo(canonicalFim.prefix.length), suffix });
			assert.equal(next.text, canonicalFim.middle);
		});
	});
}
