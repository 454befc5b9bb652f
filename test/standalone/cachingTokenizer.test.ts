import assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp';
import { CachingTokenizer } from '../../src/runtime/fim/CachingTokenizer';

/** Tokenizes by character code and counts its calls. */
function countingTokenizer() {
	const calls: string[] = [];
	return {
		calls,
		tokens: { bos: 1 as Token },
		tokenize(text: string, _specialTokens?: boolean, options?: 'trimLeadingSpace'): Token[] {
			calls.push(text);
			const trimmed = options === 'trimLeadingSpace' ? text.replace(/^ /, '') : text;
			return [...trimmed].map(char => char.charCodeAt(0) as Token);
		},
	};
}

const long = (seed: string) => seed.repeat(300);

describe('caching tokenizer', () => {
	it('tokenizes a long text once while it stays the same, and gives a copy each time', () => {
		const inner = countingTokenizer();
		const tokenizer = new CachingTokenizer(inner);
		const first = tokenizer.tokenize(long('ab'));
		first.push(0 as Token);
		const second = tokenizer.tokenize(long('ab'));
		assert.equal(inner.calls.length, 1);
		assert.equal(second.length, 600, 'a change to an earlier result does not reach the cache');
		assert.deepEqual(second, inner.tokenize(long('ab')));
	});

	it('keys on the options too, and never caches short texts', () => {
		const inner = countingTokenizer();
		const tokenizer = new CachingTokenizer(inner);
		const text = ` ${long('x')}`;
		assert.notDeepEqual(tokenizer.tokenize(text), tokenizer.tokenize(text, false, 'trimLeadingSpace'));
		tokenizer.tokenize('short');
		tokenizer.tokenize('short');
		assert.deepEqual(inner.calls.map(call => call.length), [text.length, text.length, 5, 5]);
	});

	it('forgets the least recently used text beyond its capacity, and everything on clear', () => {
		const inner = countingTokenizer();
		const tokenizer = new CachingTokenizer(inner, 2);
		tokenizer.tokenize(long('a'));
		tokenizer.tokenize(long('b'));
		tokenizer.tokenize(long('a')); // a is now the most recent
		tokenizer.tokenize(long('c')); // evicts b
		tokenizer.tokenize(long('a'));
		assert.equal(inner.calls.length, 3);
		tokenizer.tokenize(long('b'));
		assert.equal(inner.calls.length, 4);
		tokenizer.clear();
		tokenizer.tokenize(long('b'));
		assert.equal(inner.calls.length, 5);
		assert.equal(tokenizer.tokens.bos, 1);
	});
});
