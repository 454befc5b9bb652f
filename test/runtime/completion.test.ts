import assert from 'node:assert/strict';
import { Runtime, type CompletionRequest } from '../../src/runtime';
import { canonicalFim, endlessFim, ensureFixtureModel } from '../models/fixtures';

describe('runtime completion (in process, real model)', function () {
	this.timeout(120_000);
	let runtime: Runtime;

	before(async () => {
		runtime = new Runtime();
		await runtime.configure({ modelPath: await ensureFixtureModel('mistral4Fim'), completionEnabled: true, threads: 2, gpu: 'off' });
		assert.equal(runtime.state.kind, 'ready');
	});
	after(() => runtime.dispose());

	it('an abort stops generation within one token', async () => {
		const controller = new AbortController();
		let generated = 0;
		const request: CompletionRequest = {
			prefix: endlessFim.prefix,
			suffix: endlessFim.suffix,
			maxTokens: 10_000,
			signal: controller.signal,
			onToken: () => {
				if (++generated === 5) {
					controller.abort();
				}
			},
		};
		await assert.rejects(runtime.complete(request), (error: Error) => error.name === 'AbortError');
		assert.equal(generated, 5, 'no token is generated after the abort');
	});

	it('an endless answer ends at maxTokens', async () => {
		const result = await runtime.complete({ prefix: endlessFim.prefix, suffix: endlessFim.suffix, maxTokens: 8 });
		assert.ok(result.text.length >= 8 && endlessFim.cycle.join('').repeat(8).startsWith(result.text), result.text);
		assert.equal(result.stats.stopReason, 'maxTokens');
		assert.equal(result.stats.generatedTokens, 8);
	});

	it('a repeated request evaluates only the last prompt token again', async () => {
		const first = await runtime.complete(canonicalFim);
		const second = await runtime.complete(canonicalFim);
		assert.equal(first.text, canonicalFim.middle);
		assert.equal(second.text, canonicalFim.middle);
		assert.equal(second.stats.cachedPromptTokens, second.stats.promptTokens - 1);
		assert.equal(second.stats.stopReason, 'endOfGeneration');
	});

	it('drops a suggestion that only repeats the code after the cursor', async () => {
		const result = await runtime.complete({ prefix: canonicalFim.prefix, suffix: `${canonicalFim.middle}\n}\n` });
		assert.equal(result.stats.generatedTokens > 0, true, 'the model did write the middle');
		assert.equal(result.text, '');
		assert.equal(result.emptyReason, 'repeatsSuffix', 'and says why it is empty');
	});

	it('says at once whether it can complete, and why not', async () => {
		assert.deepEqual(runtime.completionAvailability(), { available: true });
		const unconfigured = new Runtime();
		try {
			const availability = unconfigured.completionAvailability();
			assert.ok(!availability.available && availability.reason === 'notReady' && availability.error.code === 'noModel', JSON.stringify(availability));
		} finally {
			await unconfigured.dispose();
		}
	});

	it('an already aborted request does no work', async () => {
		let generated = 0;
		await assert.rejects(runtime.complete({ ...canonicalFim, signal: AbortSignal.abort(), onToken: () => generated++ }), (error: Error) => error.name === 'AbortError');
		assert.equal(generated, 0);
	});

	it('keeps the leading space of the first token with a SentencePiece vocabulary (CodeLlama)', async () => {
		const codellama = new Runtime();
		try {
			await codellama.configure({ modelPath: await ensureFixtureModel('codellamaFim'), completionEnabled: true, threads: 2, gpu: 'off' });
			const result = await codellama.complete(canonicalFim);
			assert.equal(result.text, canonicalFim.middle);
			assert.equal(result.stats.stopReason, 'stopToken', 'ends on ▁<EOT>');
		} finally {
			await codellama.dispose();
		}
	});
});
