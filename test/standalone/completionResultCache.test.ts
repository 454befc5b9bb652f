import assert from 'node:assert/strict';
import { describeState } from '../../src/extension/describeState';
import { CompletionResultCache } from '../../src/runtime/completion/CompletionResultCache';
import type { CompletionState } from '../../src/runtime/completion/typedThrough';
import type { CompletionStatsInfo, ModelInfo } from '../../src/shared/protocol';

describe('completion result cache (typed-through reuse)', () => {
	const uri = 'file:///a.js';
	const at = (before: string, after: string, document = uri): CompletionState => ({ uri: document, before, after, line: 0 });
	/** The best remembered suggestion left after typing, as a request for the best alone is served. */
	const best = (cache: CompletionResultCache, state: CompletionState) => cache.lookup(state, { candidates: 1 })[0];

	it('typing the start of a suggestion serves the rest', () => {
		const cache = new CompletionResultCache();
		cache.remember(at('function add(a, b) {', '}\n'), [' return a + b;'], 1);
		assert.equal(best(cache, at('function add(a, b) {', '}\n')), ' return a + b;');
		assert.equal(best(cache, at('function add(a, b) { ret', '}\n')), 'urn a + b;');
	});

	it('never serves a suggestion after an edit elsewhere, a diverging keystroke or the whole suggestion typed', () => {
		const cache = new CompletionResultCache();
		cache.remember(at('function add(a, b) {', '}\n'), [' return a + b;'], 1);
		assert.equal(best(cache, at('// x\nfunction add(a, b) { r', '}\n')), undefined, 'edit above the cursor');
		assert.equal(best(cache, at('function add(a, b) { r', '}\n// x\n')), undefined, 'edit below the cursor');
		assert.equal(best(cache, at('function add(a, b) { x', '}\n')), undefined, 'typed something else');
		assert.equal(best(cache, at('function add(a, b) { return a + b;', '}\n')), undefined, 'nothing left to show');
		assert.equal(best(cache, at('function add(a, b) {', '}\n', 'file:///b.js')), undefined, 'another document');
		cache.clear(uri);
		assert.equal(best(cache, at('function add(a, b) {', '}\n')), undefined, 'closed');
	});

	it('keeps several suggestions best first, and serves those the typed text still matches', () => {
		const cache = new CompletionResultCache();
		cache.remember(at('f() {', '}'), [' return 1;', ' throw x;', ' return 2;'], 3);
		assert.deepEqual(cache.lookup(at('f() {', '}'), { candidates: 3 }), [' return 1;', ' throw x;', ' return 2;']);
		assert.deepEqual(cache.lookup(at('f() { re', '}'), { candidates: 1 }), ['turn 1;', 'turn 2;']);
		assert.equal(best(cache, at('f() { th', '}')), 'row x;');
		assert.deepEqual(cache.lookup(at('f() { x', '}'), { candidates: 1 }), []);
	});

	it('a request that wants every candidate is not answered by an entry made with the best alone', () => {
		const cache = new CompletionResultCache();
		cache.remember(at('f() {', '}'), [' return 1;'], 1);
		assert.deepEqual(cache.lookup(at('f() {', '}'), { candidates: 3 }), []);
		assert.deepEqual(cache.lookup(at('f() {', '}'), { candidates: 1 }), [' return 1;']);
		cache.remember(at('f() {', '}'), [' return 1;', ' throw x;'], 3);
		assert.deepEqual(cache.lookup(at('f() {', '}'), { candidates: 3 }), [' return 1;', ' throw x;']);
	});

	it('keeps only the newest entries', () => {
		const cache = new CompletionResultCache({ capacity: 2 });
		cache.remember(at('a', ''), ['1'], 1);
		cache.remember(at('b', ''), ['2'], 1);
		cache.remember(at('c', ''), ['3'], 1);
		assert.equal(best(cache, at('a', '')), undefined);
		assert.equal(best(cache, at('c', '')), '3');
	});
});

describe('status tooltip shows the last completion request', () => {
	const model: ModelInfo = {
		name: 'Q', path: '/m/q.gguf', architecture: 'qwen2', sizeBytes: 1, trainContextSize: 4096,
		hasChatTemplate: false, fim: { supported: true, format: 'qwen' }, reasoning: { supported: false, reason: '-' },
	};
	const stats: CompletionStatsInfo = {
		uri: 'file:///a.js', line: 3, promptTokens: 2000, cachedPromptTokens: 1997, promptMs: 12, generatedTokens: 16,
		generationMs: 200, totalMs: 215, cacheHit: true, stopReason: 'maxTokens',
	};

	it('lists mode, cached and new tokens, speeds and total', () => {
		const details = describeState({ kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 1 } }, true, stats).details;
		assert.ok(details.includes('Completion mode: fill-in-the-middle (qwen)'), details.join('\n'));
		assert.ok(details.includes('Last completion: cache hit · prompt 1997 cached + 3 new in 12 ms (250 tok/s) · generated 16 in 200 ms (80 tok/s) · total 215 ms · stop: maxTokens'), details.join('\n'));
	});
});
