import assert from 'node:assert/strict';
import { Runtime } from '../../src/runtime';
import type { RuntimeSettings } from '../../src/shared/types';
import { canonicalFim, endlessFim, ensureFixtureModel } from '../models/fixtures';

/** Speculative decoding with `bora.completion.draftModelPath`: faster or not, never different. */
describe('runtime completion with a draft model (speculative decoding, real models)', function () {
	this.timeout(180_000);
	const runtimes: Runtime[] = [];

	async function started(settings: Partial<RuntimeSettings> & { modelPath: string }): Promise<Runtime> {
		const runtime = new Runtime({ forecastDelayMs: false });
		runtimes.push(runtime);
		await runtime.configure({ completionEnabled: true, threads: 2, gpu: 'off', ...settings });
		assert.equal(runtime.state.kind, 'ready', JSON.stringify(runtime.state));
		return runtime;
	}

	afterEach(async () => {
		await Promise.all(runtimes.splice(0).map(runtime => runtime.dispose()));
	});

	it('writes exactly the greedy answer (qwenFim drafted by qwenFimDraft, which guesses " *" where qwenFim writes " +")', async () => {
		const plain = await started({ modelPath: await ensureFixtureModel('qwenFim') });
		const expected = await plain.complete({ ...canonicalFim, candidates: 1 });
		const drafted = await started({ modelPath: await ensureFixtureModel('qwenFim'), draftModelPath: await ensureFixtureModel('qwenFimDraft') });
		assert.equal(drafted.loadedModelCount, 1, 'the draft model is not a completion or chat model');
		const result = await drafted.complete({ ...canonicalFim, candidates: 1 });
		assert.equal(result.text, canonicalFim.middle);
		assert.equal(result.text, expected.text);
		assert.equal(result.stats.generatedTokens, expected.stats.generatedTokens);
		assert.equal(result.stats.stopReason, expected.stats.stopReason);
		assert.ok(result.stats.draftTokens, 'the stats count the draft model\'s guesses');
		assert.ok(result.stats.draftTokens.validated > 0, `" return a" confirmed: ${JSON.stringify(result.stats.draftTokens)}`);
		assert.ok(result.stats.draftTokens.refuted > 0, `" *" refuted: ${JSON.stringify(result.stats.draftTokens)}`);
		assert.equal(expected.stats.draftTokens, undefined);
	});

	for (const [draftFixture, what] of [['mistral4Fim', 'every confident guess right'], ['demo', 'a draft that says something else']] as const) {
		it(`writes exactly the greedy answer over 40 tokens and two requests (mistral4Fim drafted by ${draftFixture}: ${what})`, async () => {
			const request = { prefix: endlessFim.prefix, suffix: endlessFim.suffix, maxTokens: 40, candidates: 1 };
			const plain = await started({ modelPath: await ensureFixtureModel('mistral4Fim') });
			const drafted = await started({ modelPath: await ensureFixtureModel('mistral4Fim'), draftModelPath: await ensureFixtureModel(draftFixture) });
			for (const prefix of [request.prefix, `${request.prefix} tick`]) {
				// The second request finds the first one's unused guesses still in the sequence.
				const expected = await plain.complete({ ...request, prefix });
				const result = await drafted.complete({ ...request, prefix });
				assert.equal(result.text, expected.text);
				assert.equal(result.stats.generatedTokens, 40);
				assert.ok(result.stats.draftTokens, `${draftFixture} shares mistral4Fim's vocabulary and drafts for it: ${JSON.stringify(drafted.state)}`);
				if (draftFixture === 'mistral4Fim') {
					// One guess a round (see DraftTokenPredictor), each right: about one token in two comes from a guess.
					assert.ok(result.stats.draftTokens.validated >= 15, `the model as its own draft has its guesses confirmed: ${JSON.stringify(result.stats.draftTokens)}`);
					assert.equal(result.stats.draftTokens.refuted, 0);
				}
			}
		});
	}

	it('a draft model of another vocabulary is refused with a notice, and completion goes on without it', async () => {
		const runtime = await started({ modelPath: await ensureFixtureModel('qwenFim'), draftModelPath: await ensureFixtureModel('mistral4Fim') });
		const state = runtime.state;
		assert.ok(state.kind === 'ready' && state.notice, JSON.stringify(state));
		assert.match(state.notice, /The draft model Bora Test Mistral4 FIM cannot draft for Bora Test Qwen FIM: /);
		assert.match(state.notice, /bora\.completion\.draftModelPath/);
		const result = await runtime.complete({ ...canonicalFim, candidates: 1 });
		assert.equal(result.text, canonicalFim.middle);
		assert.equal(result.stats.draftTokens, undefined);
	});

	it('a missing draft file is a notice, not a failed load', async () => {
		const runtime = await started({ modelPath: await ensureFixtureModel('qwenFim'), draftModelPath: '/nonexistent/draft.gguf' });
		const state = runtime.state;
		assert.ok(state.kind === 'ready' && state.notice?.includes('/nonexistent/draft.gguf'), JSON.stringify(state));
		assert.equal((await runtime.complete({ ...canonicalFim, candidates: 1 })).text, canonicalFim.middle);
	});

	it('setting or clearing the draft model keeps the completion model loaded', async () => {
		const modelPath = await ensureFixtureModel('qwenFim');
		const runtime = await started({ modelPath });
		const before = runtime.state;
		await runtime.configure({ modelPath, completionEnabled: true, threads: 2, gpu: 'off', draftModelPath: await ensureFixtureModel('qwenFimDraft') });
		const withDraft = await runtime.complete({ ...canonicalFim, candidates: 1 });
		assert.ok(withDraft.stats.draftTokens);
		const after = runtime.state;
		assert.ok(before.kind === 'ready' && after.kind === 'ready');
		assert.equal(after.loadMs, before.loadMs, 'the completion model was not loaded again');
		await runtime.configure({ modelPath, completionEnabled: true, threads: 2, gpu: 'off', draftModelPath: '' });
		const without = await runtime.complete({ ...canonicalFim, candidates: 1 });
		assert.equal(without.stats.draftTokens, undefined);
		assert.equal(without.text, withDraft.text);
	});
});
