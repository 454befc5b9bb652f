import assert from 'node:assert/strict';
import { CompletionEngine, CompletionService, createLlama, loadModel, Runtime, type CompletionDocument, type LlamaHandle, type LoadedModel } from '../../src/runtime';
import type { CompletionStatsInfo } from '../../src/shared/protocol';
import { defaultRuntimeSettings } from '../../src/shared/types';
import { Scheduler } from '../../src/runtime/scheduler/Scheduler';
import { ensureFixtureModel, type FixtureName } from '../models/fixtures';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** About 1,500 tokens of a file above the cursor and 40 lines below it: far over the short prompt's 128. */
const fileAbove = Array.from({ length: 150 }, (_, i) => `const value${i} = compute(${i});\n`).join('');
const suffix = Array.from({ length: 40 }, (_, i) => `tail${i}();`).join('\n');

for (const fixture of ['qwenFim', 'mistral4Fim'] as const satisfies readonly FixtureName[]) {
	describe(`cold request from a short prompt, then the full context in the background (${fixture}, real model)`, function () {
		this.timeout(120_000);
		let handle: LlamaHandle;
		let loaded: LoadedModel;

		before(async () => {
			handle = await createLlama({ gpu: 'off', threads: 2 });
			loaded = await loadModel(handle, { modelPath: await ensureFixtureModel(fixture) });
		});
		after(async () => {
			await loaded.dispose();
			await handle.llama.dispose();
		});

		it('the cold request evaluates the short prompt; after the background evaluation a keystroke is a pure prefix hit on the whole prompt', async () => {
			await using engine = new CompletionEngine(loaded, { threads: 2, coldPromptTokens: 128, coldBackgroundQuietMs: 0, scheduler: new Scheduler() });
			await using whole = new CompletionEngine(loaded, { threads: 2, coldPromptTokens: 0, scheduler: new Scheduler() });
			const request = { prefix: `${fileAbove}\tlet x = `, suffix, maxTokens: 4, fileName: 'a.js' };
			const reference = await whole.complete(request);
			assert.equal(reference.stats.fullPromptTokens, undefined, 'with the limit off the whole prompt is evaluated');

			const cold = await engine.complete(request);
			assert.equal(cold.stats.fullPromptTokens, reference.stats.promptTokens, JSON.stringify(cold.stats));
			// The prefix is cut to fit 128 tokens after the head; what comes before it (Qwen's far suffix) is kept whole.
			assert.ok(cold.stats.promptTokens < reference.stats.promptTokens / 4, JSON.stringify(cold.stats));

			await engine.whenColdBackgroundSettled();
			const typed = await engine.complete({ ...request, prefix: `${request.prefix}1` });
			assert.equal(typed.stats.fullPromptTokens, undefined, `the whole prompt is cheap now: ${JSON.stringify(typed.stats)}`);
			assert.ok(typed.stats.promptTokens >= reference.stats.promptTokens, JSON.stringify(typed.stats));
			// Only the cursor line's new end (and the one token re-evaluated for its logits) is evaluated.
			assert.ok(typed.stats.promptTokens - typed.stats.cachedPromptTokens <= 4, JSON.stringify(typed.stats));
		});

		it('keystrokes before the background evaluation ran stay prefix hits on the short prompt; a request elsewhere gives that evaluation up', async () => {
			// A long quiet time: the background evaluation waits while the test types.
			await using engine = new CompletionEngine(loaded, { threads: 2, coldPromptTokens: 128, coldBackgroundQuietMs: 60_000, scheduler: new Scheduler() });
			const request = { prefix: `${fileAbove}\tlet x = `, suffix, maxTokens: 4, fileName: 'a.js' };
			const cold = await engine.complete(request);
			assert.notEqual(cold.stats.fullPromptTokens, undefined);
			const typed = await engine.complete({ ...request, prefix: `${request.prefix}1` });
			assert.notEqual(typed.stats.fullPromptTokens, undefined, 'still the short prompt');
			assert.ok(typed.stats.promptTokens - typed.stats.cachedPromptTokens <= 4, JSON.stringify(typed.stats));
			// The cursor jumps to the file's top: the old evaluation is given up, not run over the new request's cache.
			const top = await engine.complete({ prefix: 'const first = ', suffix: fileAbove, maxTokens: 4, fileName: 'a.js' });
			assert.equal(top.stats.fullPromptTokens, undefined, 'a prefix of one line has nothing to cut: the whole prompt');
			await engine.whenColdBackgroundSettled();
			const again = await engine.complete({ prefix: 'const first = ', suffix: fileAbove, maxTokens: 4, fileName: 'a.js' });
			assert.equal(again.stats.cachedPromptTokens, again.stats.promptTokens - 1, `the top's prompt stayed cached: ${JSON.stringify({ top: top.stats, again: again.stats })}`);
		});
	});
}

describe('cold request through the completion service: a suggestion for a changed document is never shown (qwenFim, real model)', function () {
	this.timeout(120_000);

	it('the document changes while the short prompt generates: no suggestion; the new version is answered, and then a keystroke finds the full context', async () => {
		const runtime = new Runtime({ forecastDelayMs: false, completionColdPromptTokens: 128 });
		const uri = 'file:///workspace/a.js';
		const textOf = (typed: string) => `${fileAbove}\tlet x = ${typed}\n${suffix}\n`;
		const offsetOf = (typed: string) => `${fileAbove}\tlet x = ${typed}`.length;
		let current: CompletionDocument = TextDocument.create(uri, 'javascript', 1, textOf(''));
		let editWhileGenerating = true;
		// The real runtime; the one thing added is an edit landing once the first generation started, as a fast typist's would.
		const backend: ConstructorParameters<typeof CompletionService>[0]['backend'] = {
			completionAvailability: () => runtime.completionAvailability(),
			prefillCompletion: (request, signal) => runtime.prefillCompletion(request, signal),
			complete: request => {
				const result = runtime.complete(request);
				if (editWhileGenerating) {
					editWhileGenerating = false;
					current = TextDocument.create(uri, 'javascript', 2, textOf('1'));
				}
				return result;
			},
		};
		const service = new CompletionService({ backend, documents: { get: asked => asked === uri ? current : undefined }, scheduler: runtime.scheduler });
		const stats: CompletionStatsInfo[] = [];
		service.onDidSettleGeneration(info => stats.push(info));
		try {
			const settings = { ...defaultRuntimeSettings, modelPath: await ensureFixtureModel('qwenFim'), completionEnabled: true, threads: 2, gpu: 'off' as const };
			service.configure(settings);
			await runtime.configure(settings);
			const first = current;
			const stale = await service.complete({ document: first, version: 1, offset: offsetOf(''), explicit: true });
			assert.equal(stale.kind, 'none', JSON.stringify(stale));
			assert.equal(stale.kind === 'none' && stale.info.reason, 'stale');
			assert.ok(stats[0] && stats[0].promptTokens < 400, `answered from the short prompt: ${JSON.stringify(stats[0])}`);

			const second = await service.complete({ document: current, version: 2, offset: offsetOf('1'), explicit: true });
			// The fixture's random weights may write nothing here; what matters is that this version's answer is not stale.
			assert.ok(second.kind === 'suggestions' || second.kind === 'none' && second.info.reason === 'empty', JSON.stringify(second));
			assert.equal(stats.length, 2, 'the new version generated');
			await runtime.whenCompletionBackgroundSettled();
			current = TextDocument.create(uri, 'javascript', 3, textOf('12'));
			const third = await service.complete({ document: current, version: 3, offset: offsetOf('12'), explicit: true });
			assert.notEqual(third.kind, 'superseded');
			const last = stats.at(-1)!;
			assert.ok(last.promptTokens > 1000 && last.promptTokens - last.cachedPromptTokens <= 4, `the full context, a pure prefix hit: ${JSON.stringify(last)}`);
		} finally {
			service.dispose();
			await runtime.dispose();
		}
	});
});
