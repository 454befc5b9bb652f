import assert from 'node:assert/strict';
import { ChatEngine, CompletionEngine, createLlama, DisposedError, loadModel, PreemptedError, Scheduler, type LlamaHandle, type LoadedModel } from '../../src/runtime';
import { canonicalFim, endlessFim, ensureFixtureModel } from '../models/fixtures';

describe('engines on one scheduler (real model)', function () {
	this.timeout(120_000);
	let handle: LlamaHandle;
	let loaded: LoadedModel;

	before(async () => {
		handle = await createLlama({ gpu: 'off', threads: 2 });
		loaded = await loadModel(handle, { modelPath: await ensureFixtureModel('mistral4Fim') });
	});
	after(async () => {
		await loaded.dispose();
		await handle.llama.dispose();
	});

	it('a prefetch stops at its next token for a real request, which is answered', async () => {
		await using engine = new CompletionEngine(loaded, { threads: 2, generationThreads: 1, scheduler: new Scheduler() });
		let real: Promise<string> | undefined;
		let tokens = 0;
		const prefetch = engine.complete({
			prefix: endlessFim.prefix, suffix: '', maxTokens: 1000, lane: 'speculative', clientId: 'window-2',
			onToken: () => {
				if (++tokens === 2) {
					real = engine.complete({ ...canonicalFim, clientId: 'window-1' }).then(result => result.text);
				}
			},
		});
		await assert.rejects(prefetch, (error: unknown) => error instanceof PreemptedError && error.lane === 'speculative' && error.by.lane === 'interactive' && error.by.clientId === 'window-1');
		assert.equal(tokens, 2, 'no token after the request arrived');
		assert.equal(await real, canonicalFim.middle);
	});

	it('both engines refuse with the one DisposedError once disposed', async () => {
		const completion = new CompletionEngine(loaded, { threads: 2 });
		const chat = new ChatEngine(loaded, { threads: 2 });
		await Promise.all([completion.dispose(), chat.dispose(), completion.dispose()]);
		const refusals = [() => completion.complete(canonicalFim), () => completion.prefill({}), () => chat.chat({ history: [], message: 'Hi', effort: 'off' }), () => chat.renderPrompt({ history: [], message: 'Hi', effort: 'off' })];
		const messages = refusals.map(refuse => {
			try {
				void refuse();
			} catch (error) {
				assert.ok(error instanceof DisposedError, String(error));
				return error.message;
			}
			return 'accepted';
		});
		assert.equal(new Set(messages).size, 1, messages.join(' | '));
	});
});
