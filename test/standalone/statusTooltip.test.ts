import assert from 'node:assert/strict';
import { recordCompletion } from '../../src/extension/completion/completionOutcome';
import { statusTooltip } from '../../src/extension/statusTooltip';
import type { CompletionStatsInfo, ModelInfo, NoSuggestionInfo } from '../../src/shared/protocol';

const model: ModelInfo = {
	name: 'Qwen2.5 Coder 1.5B', path: '/m/q.gguf', architecture: 'qwen2', sizeBytes: 1.5e9, trainContextSize: 32768,
	hasChatTemplate: true, fim: { supported: true, format: 'qwen' }, reasoning: { supported: false, reason: 'No reasoning.' },
};
const ready = { kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 1500, forecast: { summary: '≈ 350 ms per suggestion on this machine', promptTokensPerSecond: 900, generationTokensPerSecond: 80, msPerSuggestion: 350, measuredAt: '2026-01-01T00:00:00.000Z' } } } as const;
const stats: CompletionStatsInfo = {
	uri: 'file:///a.js', line: 3, promptTokens: 20, cachedPromptTokens: 0, promptMs: 10, generatedTokens: 4,
	generationMs: 40, totalMs: 214.6, cacheHit: false, stopReason: 'endOfGeneration',
};
const suffixOnLine: NoSuggestionInfo = { uri: 'file:///a.js', line: 3, reason: 'suffixOnLine', message: 'the text after the cursor on this line is too long' };

describe('status tooltip', () => {
	it('ready: one line of state, then the last suggestion\'s latency; no internals', () => {
		const lines = statusTooltip(ready, true, { stats });
		assert.deepEqual(lines, ['**Qwen2.5 Coder 1.5B** ready on CPU · inline completion on', 'Last suggestion: 215 ms']);
		const text = lines.join('\n');
		for (const internal of ['stop:', 'tokens/s', 'threads', 'loaded in', 'File:', 'Architecture']) {
			assert.ok(!text.includes(internal), `no "${internal}" in the tooltip: ${text}`);
		}
	});

	it('a Mixture-of-Experts model says where its experts went, in the one line', () => {
		const fit = {
			level: 'partialGpu', requiredBytes: 68.7e9, summary: 'Fits with experts in RAM.', basis: 'header',
			placement: { gpuLayers: 37, totalLayers: 37, contextSize: 8192, vramBytes: 19.2e9, ramBytes: 49.5e9, expertLayers: 36, cpuExpertLayers: 27 },
		} as const;
		const moe = { kind: 'runtime', runtime: { ...ready.runtime, model: { ...model, name: 'Mistral Small 4' }, backend: 'cuda', fit } } as const;
		assert.deepEqual(statusTooltip(moe, true, {}), ['**Mistral Small 4** ready on CUDA · experts of 27 of 36 layers in RAM · 19.2 GB VRAM · 49.5 GB RAM · inline completion on']);
		const dense = { kind: 'runtime', runtime: { ...ready.runtime, fit: { ...fit, placement: { gpuLayers: 29, totalLayers: 29, contextSize: 8192, vramBytes: 2e9, ramBytes: 0.3e9 } } } } as const;
		assert.deepEqual(statusTooltip(dense, true, {}), ['**Qwen2.5 Coder 1.5B** ready on CPU · inline completion on'], 'nothing for a dense model');
	});

	it('says why the latest completion produced nothing, from the typed reason, after the last latency', () => {
		const outcome = recordCompletion(recordCompletion({}, { kind: 'stats', stats }), { kind: 'noSuggestion', info: suffixOnLine });
		assert.deepEqual(statusTooltip(ready, true, outcome), [
			'**Qwen2.5 Coder 1.5B** ready on CPU · inline completion on',
			'Last suggestion: 215 ms',
			'Last request: no suggestion: the text after the cursor on this line is too long.',
		]);
		// A newer suggestion clears the reason.
		assert.equal(statusTooltip(ready, true, recordCompletion(outcome, { kind: 'stats', stats })).length, 2);
	});

	it('completion off or unavailable says so in the one line', () => {
		assert.deepEqual(statusTooltip(ready, false, { stats }), ['**Qwen2.5 Coder 1.5B** ready on CPU · inline completion off']);
		const noFim = { kind: 'runtime', runtime: { ...ready.runtime, model: { ...model, hasChatTemplate: true } } } as const;
		const [line] = statusTooltip(noFim, true, {}, 'chat');
		assert.equal(line, '**Qwen2.5 Coder 1.5B** ready on CPU · inline completion on');
		const base = { kind: 'runtime', runtime: { ...ready.runtime, model: { ...model, hasChatTemplate: false } } } as const;
		assert.deepEqual(statusTooltip(base, true, {}, 'chat'), ['**Qwen2.5 Coder 1.5B** ready on CPU · inline completion unavailable: bora.completion.mode is chat, but the model has no chat template. Set it to auto or fim.']);
	});

	it('an error: what went wrong and what to do; a refused model also says which one stays', () => {
		assert.deepEqual(statusTooltip({ kind: 'runtime', runtime: { kind: 'error', modelPath: '/m/x.gguf', error: { code: 'modelNotFound', message: 'Model file not found: /m/x.gguf', action: 'Pick one.' } } }, true, {}), [
			'**x.gguf could not be used:** Model file not found: /m/x.gguf',
			'**What to do:** Pick one.',
		]);
		const rejected = { kind: 'runtime', runtime: { ...ready.runtime, rejected: { modelPath: '/m/bad.gguf', error: { code: 'invalidModel', message: 'Not a GGUF file.', action: 'Pick another.' } } } } as const;
		assert.deepEqual(statusTooltip(rejected, true, { stats }), ['**bad.gguf was not loaded:** Not a GGUF file. Still using **Qwen2.5 Coder 1.5B**.', '**What to do:** Pick another.']);
	});

	it('starting, loading, no model and stopped: one line each', () => {
		assert.deepEqual(statusTooltip({ kind: 'starting' }, true, {}), ["Starting Bora's runtime…"]);
		assert.deepEqual(statusTooltip({ kind: 'runtime', runtime: { kind: 'loading', modelPath: '/m/q.gguf', progress: 0.424 } }, true, {}), ['Loading q.gguf: 42%']);
		assert.deepEqual(statusTooltip({ kind: 'runtime', runtime: { kind: 'idle', reason: { code: 'noModel', message: 'No model is configured.', action: 'Set bora.modelPath.' } } }, true, {}), ['No model: No model is configured.']);
		assert.deepEqual(statusTooltip({ kind: 'stopped', message: 'The runtime stopped.' }, true, {}), ['The runtime stopped.']);
	});
});
