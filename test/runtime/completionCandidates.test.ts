import assert from 'node:assert/strict';
import { Runtime, RuntimeError, type RuntimeSettings } from '../../src/runtime';
import { canonicalFim, canonicalFimAlternative, ensureFixtureModel, type FixtureName } from '../models/fixtures';

async function withRuntime(fixture: FixtureName, settings: Partial<RuntimeSettings>, test: (runtime: Runtime) => Promise<void>): Promise<void> {
	const runtime = new Runtime({ forecastDelayMs: false });
	try {
		await runtime.configure({ modelPath: await ensureFixtureModel(fixture), completionEnabled: true, threads: 2, gpu: 'off', ...settings });
		assert.equal(runtime.state.kind, 'ready');
		await test(runtime);
	} finally {
		await runtime.dispose();
	}
}

/** `qwenFim` answers the canonical case with ` return a + b;`, its second first-token choice leading to ` throw new Error();`. */
describe('several completion candidates (real model)', function () {
	this.timeout(120_000);

	it('offers the greedy suggestion first, then one starting from the next most probable first token', () => withRuntime('qwenFim', {}, async runtime => {
		const result = await runtime.complete({ ...canonicalFim, candidates: 3 });
		assert.equal(result.text, canonicalFim.middle);
		// Only two first tokens are at all probable in this model; improbable ones give no suggestion.
		assert.deepEqual(result.alternatives, [canonicalFimAlternative]);
		// The alternatives reused the prompt: asking again still evaluates only the last prompt token.
		const again = await runtime.complete({ ...canonicalFim, candidates: 3 });
		assert.equal(again.stats.cachedPromptTokens, again.stats.promptTokens - 1);
		assert.deepEqual(again.alternatives, [canonicalFimAlternative]);
	}));

	it('computes only the best with candidates set to 1', () => withRuntime('qwenFim', {}, async runtime => {
		const result = await runtime.complete({ ...canonicalFim, candidates: 1 });
		assert.equal(result.text, canonicalFim.middle);
		assert.deepEqual(result.alternatives, []);
	}));

	it('computes no alternatives once nobody waits for them, and keeps the first', () => withRuntime('qwenFim', {}, async runtime => {
		const result = await runtime.complete({ ...canonicalFim, candidates: 3, alternativesSignal: AbortSignal.abort() });
		assert.equal(result.text, canonicalFim.middle);
		assert.deepEqual(result.alternatives, []);
	}));

	it('a model that is sure of its first token offers one suggestion (mistral4Fim)', () => withRuntime('mistral4Fim', {}, async runtime => {
		const result = await runtime.complete({ ...canonicalFim, candidates: 3 });
		assert.equal(result.text, canonicalFim.middle);
		assert.deepEqual(result.alternatives, []);
	}));
});

describe('bora.completion.mode (real model)', function () {
	this.timeout(120_000);

	it('chat forces chat-model completion on a model with FIM tokens', () => withRuntime('qwenFim', { completionMode: 'chat' }, async runtime => {
		const result = await runtime.complete(canonicalFim);
		assert.equal(result.stats.mode, 'chat');
		assert.deepEqual(result.alternatives, []);
	}));

	it('auto and fim use fill-in-the-middle on a model with FIM tokens', () => withRuntime('qwenFim', { completionMode: 'fim' }, async runtime => {
		assert.equal((await runtime.complete(canonicalFim)).stats.mode, 'fim');
		await runtime.configure({ modelPath: await ensureFixtureModel('qwenFim'), completionEnabled: true, threads: 2, gpu: 'off', completionMode: 'auto' });
		assert.equal((await runtime.complete(canonicalFim)).stats.mode, 'fim');
	}));

	it('fim on a model without FIM tokens says why and what to do', () => withRuntime('mistral4ChatNoFim', { completionMode: 'fim' }, async runtime => {
		await assert.rejects(runtime.complete(canonicalFim), (error: unknown) => error instanceof RuntimeError && error.code === 'noFimSupport'
			&& /bora\.completion\.mode is set to fim/.test(error.message) && /auto or chat/.test(error.action));
		// The same reason, at once and without a request, for the completion service.
		const availability = runtime.completionAvailability();
		assert.ok(!availability.available && availability.reason === 'modeUnavailable' && /bora\.completion\.mode is set to fim/.test(availability.error.message), JSON.stringify(availability));
	}));
});
