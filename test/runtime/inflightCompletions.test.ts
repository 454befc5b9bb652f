import assert from 'node:assert/strict';
import { InflightCompletions, type GenerationControl, type InflightAnswer, type SettledGeneration } from '../../src/runtime/completion/InflightCompletions';
import type { CompletionState } from '../../src/runtime/completion/typedThrough';
import { Runtime, type CompletionResult } from '../../src/runtime';
import { endlessFim, ensureFixtureModel } from '../models/fixtures';

const uri = 'file:///loop.txt';
const at = (before: string): CompletionState => ({ uri, before, after: endlessFim.suffix, line: 0 });
const best = { candidates: 1 };

/** The suggestions of an answer that was served (a superseded one has none). */
function suggestionsOf(answer: InflightAnswer): readonly string[] {
	assert.equal(answer.kind, 'served');
	return answer.kind === 'served' ? answer.suggestions : [];
}

/**
 * In-flight generations outliving their request, on the real engine with `mistral4Fim`, whose
 * `loop:` case writes ` tick tock …` without end (bounded here by `maxTokens`). Progress is read
 * from the streamed text, never from timers.
 */
describe('in-flight completion reuse (real model)', function () {
	this.timeout(120_000);
	let runtime: Runtime;
	let started: { state: CompletionState; outcome: Promise<CompletionResult> }[];
	let settled: SettledGeneration[];
	/** Wakes whoever waits for the streamed text to reach a length. */
	let onStreamed: ((text: string) => void) | undefined;

	before(async () => {
		runtime = new Runtime({ forecastDelayMs: false });
		await runtime.configure({ modelPath: await ensureFixtureModel('mistral4Fim'), completionEnabled: true, threads: 2, gpu: 'off' });
	});
	after(() => runtime.dispose());
	beforeEach(() => {
		started = [];
		settled = [];
	});

	function inflightWith(maxTokens: number, graceMs?: number): InflightCompletions {
		return new InflightCompletions({
			graceMs,
			start: (state: CompletionState, control: GenerationControl) => {
				const outcome = runtime.complete({
					prefix: state.before, suffix: state.after, maxTokens, timeBudgetMs: 600_000, candidates: control.candidates,
					signal: control.signal, alternativesSignal: control.alternativesSignal,
					onText: text => { control.onText(text); onStreamed?.(text); },
				});
				started.push({ state, outcome });
				return outcome;
			},
			onSettled: generation => settled.push(generation),
		});
	}

	function streamed(length: number): Promise<void> {
		return new Promise(resolve => {
			onStreamed = text => {
				if (text.length >= length) {
					onStreamed = undefined;
					resolve();
				}
			};
		});
	}

	it('a request cancelled by a matching follow-up is joined: one generation, two states served', async () => {
		const inflight = inflightWith(24);
		const first = new AbortController();
		const progress = streamed(' tick tock'.length);
		const firstAnswer = inflight.request(at(endlessFim.prefix), first.signal, best);
		await progress;
		// The editor cancels on each keystroke, then asks again for the new text.
		first.abort();
		await assert.rejects(firstAnswer, (error: Error) => error.name === 'AbortError');
		const answer = await inflight.request(at(`${endlessFim.prefix} tick`), new AbortController().signal, best);
		assert.equal(started.length, 1, 'the model ran once');
		assert.ok(answer.kind === 'served' && answer.joined);
		assert.ok(suggestionsOf(answer)[0]!.startsWith(' tock tick tock'), suggestionsOf(answer)[0]);
		assert.equal(settled.length, 1);
		assert.equal(settled[0]!.result.stats.generatedTokens, 24, 'it ran to its end for the request that joined');
	});

	it('a request the output contradicts aborts the generation at once', async () => {
		const inflight = inflightWith(100_000);
		const progress = streamed(' tick tock tick'.length);
		const firstAnswer = inflight.request(at(endlessFim.prefix), new AbortController().signal, best);
		await progress;
		const other = inflight.request(at(`${endlessFim.prefix} tack`), new AbortController().signal, best);
		// The first request is still open: it is answered with nothing, as its generation was stopped.
		assert.deepEqual(await firstAnswer, { kind: 'superseded' });
		await assert.rejects(started[0]!.outcome, (error: Error) => error.name === 'AbortError');
		await other;
		assert.equal(started.length, 2, 'the contradicting request ran its own generation');
		assert.equal(settled.filter(generation => generation.state.before === endlessFim.prefix).length, 0, 'the endless one never settled');
	});

	it('a request that joined before any output stops waiting, and aborts it, once the output contradicts it', async () => {
		const inflight = inflightWith(100_000);
		const firstAnswer = inflight.request(at(endlessFim.prefix), new AbortController().signal, best);
		// Asked before any token exists, so ` tack` may still match and the request joins.
		const other = inflight.request(at(`${endlessFim.prefix} tack`), new AbortController().signal, best);
		assert.deepEqual(await firstAnswer, { kind: 'superseded' });
		await assert.rejects(started[0]!.outcome, (error: Error) => error.name === 'AbortError');
		const answer = await other;
		assert.ok(answer.kind === 'served' && !answer.joined, 'served by a generation of its own');
		assert.deepEqual(started.map(generation => generation.state.before), [endlessFim.prefix, `${endlessFim.prefix} tack`]);
	});

	it('a generation nobody waits for is aborted after the grace period', async () => {
		const inflight = inflightWith(100_000, 50);
		const request = new AbortController();
		const progress = streamed(' tick'.length);
		const answer = inflight.request(at(endlessFim.prefix), request.signal, best);
		await progress;
		request.abort();
		await assert.rejects(answer, (error: Error) => error.name === 'AbortError');
		await assert.rejects(started[0]!.outcome, (error: Error) => error.name === 'AbortError');
		assert.equal(inflight.size, 0);
		assert.deepEqual(settled, []);
	});

	it('a prefetch runs with nobody waiting, and a request for its state joins it', async () => {
		const inflight = inflightWith(12);
		inflight.prefetch(at(endlessFim.prefix));
		const answer = await inflight.request(at(endlessFim.prefix), new AbortController().signal, best);
		assert.ok(answer.kind === 'served' && answer.joined && answer.prefetched);
		assert.equal(started.length, 1);
		assert.ok(suggestionsOf(answer)[0]!.startsWith(' tick tock'), suggestionsOf(answer)[0]);
	});

	it('a prefetch nobody asks for is kept to its end, and any other request aborts it', async () => {
		const inflight = inflightWith(100_000);
		const progress = streamed(' tick'.length);
		inflight.prefetch(at(endlessFim.prefix));
		await progress;
		// `unrelated` ends at once: only `:` starts the endless answer.
		await inflight.request(at('unrelated'), new AbortController().signal, best);
		await assert.rejects(started[0]!.outcome, (error: Error) => error.name === 'AbortError');
		assert.equal(started.length, 2);
	});
});
