import assert from 'node:assert/strict';
import { lineWindow, suffixCharsOnLine, type LineWindowOptions } from '../../src/runtime/completion/lineWindow';

function at(textWithCursor: string, options?: LineWindowOptions) {
	const cursor = textWithCursor.indexOf('|');
	return lineWindow(textWithCursor.slice(0, cursor), textWithCursor.slice(cursor + 1), options);
}

describe('the line window around the cursor', () => {
	it('splits at the cursor', () => {
		assert.deepEqual(at('function add(a, b) {|}\n'), { prefix: 'function add(a, b) {', suffix: '}\n' });
		assert.deepEqual(at('|'), { prefix: '', suffix: '' });
	});

	it('keeps only the configured lines around the cursor', () => {
		const lines = Array.from({ length: 10 }, (_, i) => `l${i}`);
		lines[5] = 'l5|';
		assert.deepEqual(at(lines.join('\n'), { linesBefore: 2, linesAfter: 1 }), { prefix: 'l3\nl4\nl5', suffix: '\nl6\n' });
	});

	it('starts on a multiple of the alignment, so new lines typed below do not move the start', () => {
		const lines = Array.from({ length: 80 }, (_, i) => `l${i}`);
		const around = (line: number) => at([...lines.slice(0, line), `${lines[line]}|`, ...lines.slice(line + 1)].join('\n'), { linesBefore: 8, alignFirstLine: 32 });
		assert.ok(around(45).prefix.startsWith('l32\n'), around(45).prefix);
		assert.ok(around(60).prefix.startsWith('l32\n'), 'still the same start 15 lines further down');
		assert.ok(around(70).prefix.startsWith('l32\n'));
		assert.ok(around(72).prefix.startsWith('l64\n'), 'the next multiple once the window has moved past it');
	});

	it('counts CRLF line ends as one line break', () => {
		assert.deepEqual(at('a\r\nb\r\nc|\r\nd\r\ne', { linesBefore: 1, linesAfter: 1 }), { prefix: 'b\r\nc', suffix: '\r\nd\r\n' });
	});

	it('counts the non-whitespace characters right of the cursor on its line', () => {
		assert.equal(suffixCharsOnLine(') {\n  more text'), 2);
		assert.equal(suffixCharsOnLine('   \r\nx'), 0);
		assert.equal(suffixCharsOnLine('a b c'), 3);
	});
});
