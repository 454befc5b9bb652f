import assert from 'node:assert/strict';
import { recordCompletion, type CompletionOutcome } from '../../src/extension/completion/completionOutcome';
import { describeState } from '../../src/extension/describeState';
import type { CompletionStatsInfo, ModelInfo, NoSuggestionInfo } from '../../src/shared/protocol';

const model: ModelInfo = {
	name: 'Qwen2.5 Coder 1.5B', path: '/m/q.gguf', architecture: 'qwen2', sizeBytes: 1.5e9, trainContextSize: 32768,
	hasChatTemplate: true, fim: { supported: true, format: 'qwen' }, reasoning: { supported: false, reason: 'No reasoning.' },
};

describe('status bar wording', () => {
	it('loading shows the percentage', () => {
		assert.equal(describeState({ kind: 'runtime', runtime: { kind: 'loading', modelPath: '/m/q.gguf', progress: 0.424 } }, true).label, 'Bora: loading 42%');
	});

	it('ready shows the model name, backend and facts', () => {
		const ready = describeState({ kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cuda', threads: 8, loadMs: 1500 } }, true);
		assert.equal(ready.label, 'Bora: Qwen2.5 Coder 1.5B');
		assert.equal(ready.severity, 'normal');
		assert.match(ready.details[0]!, /ready on CUDA · 8 threads · loaded/);
		assert.ok(ready.details.includes('Size: 1.5 GB · trained context: 32,768 tokens'));
		const split = describeState({ kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cpu', threads: 2, generationThreads: 1, loadMs: 1500 } }, true);
		assert.match(split.details[0]!, /ready on CPU · 2 threads \(1 while generating\) · loaded/);
	});

	it('ready shows the speed forecast, and each role with its own model', () => {
		const forecast = { promptTokensPerSecond: 900, generationTokensPerSecond: 80, msPerSuggestion: 870, summary: '≈ 870 ms per suggestion on this machine', measuredAt: '2026-01-01T00:00:00.000Z' };
		const chatModel: ModelInfo = { ...model, name: 'Devstral Small 2', path: '/m/devstral.gguf', sizeBytes: 14e9 };
		const ready = describeState({ kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 10, forecast, chatModel } }, true, undefined, { mmprojPath: '/m/mmproj.gguf' });
		assert.ok(ready.details.includes('Speed: ≈ 870 ms per suggestion on this machine (prompt 900 tokens/s, generation 80 tokens/s)'));
		assert.ok(ready.details.includes('Completion model: **Qwen2.5 Coder 1.5B**'));
		assert.ok(ready.details.some(line => line.startsWith('Chat model: **Devstral Small 2** · 14.0 GB') && line.includes('/m/devstral.gguf')));
		assert.ok(ready.details.some(line => line.startsWith('Vision projector: `/m/mmproj.gguf`')));
		const shared = describeState({ kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 10 } }, true);
		assert.ok(shared.details.includes('Chat model: the same model'));
		assert.ok(!shared.details.some(line => line.startsWith('Speed:') || line.startsWith('Vision projector')));
	});

	it('a model without FIM is a warning that carries the reason', () => {
		const noFim = describeState({ kind: 'runtime', runtime: { kind: 'ready', model: { ...model, hasChatTemplate: false, fim: { supported: false, reason: 'No FIM tokens.' } }, backend: 'cpu', threads: 2, loadMs: 10 } }, true);
		assert.equal(noFim.severity, 'warning');
		assert.ok(noFim.details.some(line => line.includes('No FIM tokens.')));
	});

	it('an instruct model without FIM completes in chat-model mode, and the tooltip says so', () => {
		const chat = describeState({ kind: 'runtime', runtime: { kind: 'ready', model: { ...model, fim: { supported: false, reason: 'No FIM tokens.' } }, backend: 'cpu', threads: 2, loadMs: 10 } }, true);
		assert.equal(chat.severity, 'normal');
		assert.ok(chat.details.includes('Completion mode: chat model (no FIM tokens)'));
	});

	it('bora.completion.mode is reflected: chat forced on a FIM model, fim forced on a model without FIM tokens', () => {
		const ready = (info: ModelInfo, completionMode: 'auto' | 'fim' | 'chat') => describeState({ kind: 'runtime', runtime: { kind: 'ready', model: info, backend: 'cpu', threads: 2, loadMs: 10 } }, true, undefined, { completionMode });
		assert.ok(ready(model, 'chat').details.includes('Completion mode: chat model · set by bora.completion.mode'));
		assert.ok(ready(model, 'auto').details.includes('Completion mode: fill-in-the-middle (qwen)'));
		const forcedFim = ready({ ...model, fim: { supported: false, reason: 'No FIM tokens.' } }, 'fim');
		assert.equal(forcedFim.severity, 'warning');
		assert.ok(forcedFim.details.some(line => line.includes('bora.completion.mode is fim') && line.includes('No FIM tokens.')), forcedFim.details.join('\n'));
		const forcedChat = ready({ ...model, hasChatTemplate: false }, 'chat');
		assert.equal(forcedChat.severity, 'warning');
		assert.ok(forcedChat.details.some(line => line.includes('bora.completion.mode is chat')), forcedChat.details.join('\n'));
	});

	it('an error shows the message and what to do', () => {
		const error = describeState({ kind: 'runtime', runtime: { kind: 'error', modelPath: '/x', error: { code: 'modelNotFound', message: 'Model file not found: /x', action: 'Pick one.' } } }, true);
		assert.equal(error.severity, 'error');
		assert.deepEqual(error.details, ['Model file not found: /x', '**What to do:** Pick one.']);
	});

	describe('why the latest request got no suggestion', () => {
		const stats: CompletionStatsInfo = {
			uri: 'file:///a.js', line: 3, promptTokens: 20, cachedPromptTokens: 0, promptMs: 10, generatedTokens: 4,
			generationMs: 40, totalMs: 55, cacheHit: false, stopReason: 'stopText',
		};
		const suffixOnLine: NoSuggestionInfo = { uri: 'file:///a.js', line: 3, reason: 'suffixOnLine', message: 'the text after the cursor on this line is too long' };
		const ready = { kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 10 } } as const;
		const tooltip = (outcome: CompletionOutcome, enabled = true) => describeState(ready, enabled, outcome.stats, { noSuggestion: outcome.noSuggestion }).details;

		it('shows the runtime\'s reason as a sentence, after the last suggestion\'s stats', () => {
			const outcome = recordCompletion(recordCompletion({}, { kind: 'stats', stats }), { kind: 'noSuggestion', info: suffixOnLine });
			const details = tooltip(outcome);
			assert.equal(details.at(-1), 'No suggestion: the text after the cursor on this line is too long.');
			assert.ok(details.at(-2)?.startsWith('Last completion: '), details.join('\n'));
			const sentence = tooltip({ noSuggestion: { ...suffixOnLine, reason: 'repeatsSuffix', message: 'The model only repeated the text after the cursor.' } });
			assert.equal(sentence.at(-1), 'No suggestion: The model only repeated the text after the cursor.');
		});

		it('keeps only the latest reason, and a newer suggestion clears it', () => {
			const stale: NoSuggestionInfo = { ...suffixOnLine, reason: 'stale', message: 'the document changed meanwhile' };
			const twice = recordCompletion(recordCompletion({}, { kind: 'noSuggestion', info: suffixOnLine }), { kind: 'noSuggestion', info: stale });
			assert.deepEqual(twice, { noSuggestion: stale });
			const suggested = recordCompletion(twice, { kind: 'stats', stats });
			assert.deepEqual(suggested, { stats });
			assert.ok(!tooltip(suggested).some(line => line.startsWith('No suggestion')));
		});

		it('says nothing of it while completion is off: the tooltip already says why', () => {
			const details = tooltip({ noSuggestion: { ...suffixOnLine, reason: 'disabled', message: 'inline completion is turned off' } }, false);
			assert.equal(details.at(-1), 'Inline completion is turned off.');
			assert.ok(!details.some(line => line.startsWith('No suggestion')));
		});
	});
});
