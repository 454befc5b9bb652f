import assert from 'node:assert/strict';
import { codeFromChatAnswer, trimOverlap, withoutSuffixStart } from '../../src/runtime/completion/chatMode/codeFromChatAnswer';

describe('chat-mode completion: code from an instruct answer', () => {
	it('takes unfenced text as code', () => {
		assert.deepEqual(codeFromChatAnswer(' return a + b;'), { code: ' return a + b;', closed: false });
	});
	it('strips a leading fence and stops at the closing one', () => {
		assert.deepEqual(codeFromChatAnswer('```ts\nreturn 1;\n```\nThis returns one.'), { code: 'return 1;', closed: true });
		assert.deepEqual(codeFromChatAnswer('```\nreturn 1;\n'), { code: 'return 1;\n', closed: false });
		assert.deepEqual(codeFromChatAnswer('```ts'), { code: '', closed: false });
	});
	it('drops prose that introduces a fenced block', () => {
		assert.deepEqual(codeFromChatAnswer('Here is an example:\n\n```js\nconst x = 1;\n```\n'), { code: 'const x = 1;', closed: true });
	});
	it('ends code at a bare fence that follows it', () => {
		assert.deepEqual(codeFromChatAnswer('return 1;\n```\nExplanation'), { code: 'return 1;', closed: true });
	});
	it('trims a tail that is the start of the suffix', () => {
		assert.equal(withoutSuffixStart(' return a + b;\n}', '\n}\n'), ' return a + b;');
		assert.equal(withoutSuffixStart('foo(a, b);', ');\nbar();'), 'foo(a, b');
		assert.equal(withoutSuffixStart('x = 1;', '  = 1;'), 'x ');
		assert.equal(withoutSuffixStart('x = 1;', 'y'), 'x = 1;');
		assert.equal(withoutSuffixStart('}', '}'), '', 'a suggestion that only repeats the suffix is empty');
		assert.equal(withoutSuffixStart('a \n', ' \n'), 'a \n', 'whitespace alone is no overlap');
	});
	it('drops the current line when the answer rewrites it', () => {
		assert.equal(trimOverlap('const total = a + b;', { linePrefix: '  const total', suffix: '' }), ' = a + b;');
		assert.equal(trimOverlap('ab', { linePrefix: 'a', suffix: '' }), 'ab', 'too short to tell');
	});
});
