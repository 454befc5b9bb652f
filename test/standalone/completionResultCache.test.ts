import assert from 'node:assert/strict';
import { describeState } from '../../src/extension/describeState';
import { CompletionResultCache } from '../../src/lsp/CompletionResultCache';
import type { CompletionStatsInfo, ModelInfo } from '../../src/shared/protocol';

describe('completion result cache (typed-through reuse)', () => {
	const uri = 'file:///a.js';

	it('typing the start of a suggestion serves the rest', () => {
		const cache = new CompletionResultCache();
		cache.remember(uri, 'function add(a, b) {', '}\n', ' return a + b;');
		assert.equal(cache.lookup(uri, 'function add(a, b) {', '}\n'), ' return a + b;');
		assert.equal(cache.lookup(uri, 'function add(a, b) { ret', '}\n'), 'urn a + b;');
	});

	it('never serves a suggestion after an edit elsewhere, a diverging keystroke or the whole suggestion typed', () => {
		const cache = new CompletionResultCache();
		cache.remember(uri, 'function add(a, b) {', '}\n', ' return a + b;');
		assert.equal(cache.lookup(uri, '// x\nfunction add(a, b) { r', '}\n'), undefined, 'edit above the cursor');
		assert.equal(cache.lookup(uri, 'function add(a, b) { r', '}\n// x\n'), undefined, 'edit below the cursor');
		assert.equal(cache.lookup(uri, 'function add(a, b) { x', '}\n'), undefined, 'typed something else');
		assert.equal(cache.lookup(uri, 'function add(a, b) { return a + b;', '}\n'), undefined, 'nothing left to show');
		assert.equal(cache.lookup('file:///b.js', 'function add(a, b) {', '}\n'), undefined, 'another document');
		cache.clear(uri);
		assert.equal(cache.lookup(uri, 'function add(a, b) {', '}\n'), undefined, 'closed');
	});

	it('keeps several suggestions best first, and serves those the typed text still matches', () => {
		const cache = new CompletionResultCache();
		cache.remember(uri, 'f() {', '}', [' return 1;', ' throw x;', ' return 2;']);
		assert.deepEqual(cache.lookupAll(uri, 'f() {', '}'), [' return 1;', ' throw x;', ' return 2;']);
		assert.deepEqual(cache.lookupAll(uri, 'f() { re', '}'), ['turn 1;', 'turn 2;']);
		assert.equal(cache.lookup(uri, 'f() { th', '}'), 'row x;');
		assert.deepEqual(cache.lookupAll(uri, 'f() { x', '}'), []);
	});

	it('a request that wants every candidate is not answered by an entry made with the best alone', () => {
		const cache = new CompletionResultCache();
		cache.remember(uri, 'f() {', '}', [' return 1;']);
		assert.deepEqual(cache.lookupAll(uri, 'f() {', '}', { alternatives: true }), []);
		assert.deepEqual(cache.lookupAll(uri, 'f() {', '}'), [' return 1;']);
		cache.remember(uri, 'f() {', '}', [' return 1;', ' throw x;'], true);
		assert.deepEqual(cache.lookupAll(uri, 'f() {', '}', { alternatives: true }), [' return 1;', ' throw x;']);
	});

	it('keeps only the newest entries', () => {
		const cache = new CompletionResultCache({ capacity: 2 });
		cache.remember(uri, 'a', '', '1');
		cache.remember(uri, 'b', '', '2');
		cache.remember(uri, 'c', '', '3');
		assert.equal(cache.lookup(uri, 'a', ''), undefined);
		assert.equal(cache.lookup(uri, 'c', ''), '3');
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
