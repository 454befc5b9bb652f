import assert from 'node:assert/strict';
import { Runtime, RuntimeError } from '../../src/runtime';
import { completionModeOf } from '../../src/shared/completionMode';
import { canonicalFim, chatAnswer, ensureFixtureModel, type FixtureName } from '../models/fixtures';

/**
 * Chat-model completion on instruct fixtures without FIM tokens. `mistral4ChatNoFim` answers every chat
 * prompt with `[THINK]`…`[/THINK]` then prose and a fenced `const x = 1;`; chat mode must close the
 * thought, drop the prose and fences, and stop at the closing fence.
 */
describe('runtime completion with a chat model (no FIM tokens)', function () {
	this.timeout(120_000);

	async function withRuntime(fixture: FixtureName, test: (runtime: Runtime) => Promise<void>): Promise<void> {
		const runtime = new Runtime();
		try {
			await runtime.configure({ modelPath: await ensureFixtureModel(fixture), completionEnabled: true, threads: 2, gpu: 'off' });
			assert.equal(runtime.state.kind, 'ready');
			await test(runtime);
		} finally {
			await runtime.dispose();
		}
	}

	it('mistral4ChatNoFim: keeps only the code, without thought, prose or fences, and reuses the prompt cache', () => withRuntime('mistral4ChatNoFim', async runtime => {
		assert.equal(runtime.state.kind === 'ready' && completionModeOf(runtime.state.model), 'chat');
		// A generous time budget: the fixture writes prose before its code block, and this test is about content, not time.
		const request = { ...canonicalFim, timeBudgetMs: 60_000 };
		const first = await runtime.complete(request);
		assert.equal(first.text, 'const x = 1;');
		assert.equal(first.stats.mode, 'chat');
		assert.equal(first.stats.stopReason, 'stopText', 'stops at the closing fence');
		const second = await runtime.complete(request);
		assert.equal(second.text, 'const x = 1;');
		assert.ok(second.stats.cachedPromptTokens >= second.stats.promptTokens - 3, `cached ${second.stats.cachedPromptTokens} of ${second.stats.promptTokens}`);
	}));

	it('mistral4ChatNoFim: trims the tail that repeats the start of the suffix', () => withRuntime('mistral4ChatNoFim', async runtime => {
		const result = await runtime.complete({ prefix: 'let a = 0;\n', suffix: ' = 1;\nconsole.log(x);\n', timeBudgetMs: 60_000 });
		assert.equal(result.text, 'const x');
	}));

	it('noFim (Llama 2 chat template): completes through its template and returns the model\'s answer', () => withRuntime('noFim', async runtime => {
		assert.equal(runtime.state.kind === 'ready' && completionModeOf(runtime.state.model), 'chat');
		const result = await runtime.complete(canonicalFim);
		assert.equal(result.text, ` ${chatAnswer}`, 'the SentencePiece space of the first word stays: the cursor follows `{`');
		assert.equal(result.stats.mode, 'chat');
	}));

	it('a model with neither FIM tokens nor a chat template refuses with the reason', () => withRuntime('noFimNoTemplate', async runtime => {
		assert.equal(runtime.state.kind === 'ready' && completionModeOf(runtime.state.model), 'none');
		await assert.rejects(runtime.complete(canonicalFim), (error: unknown) => error instanceof RuntimeError && error.code === 'noFimSupport' && /no chat template/.test(error.message));
	}));
});
