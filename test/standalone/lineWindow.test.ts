import assert from 'node:assert/strict';
import { charWindow, lineWindow, suffixCharsOnLine, type LineWindowOptions } from '../../src/runtime/completion/lineWindow';

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

	it('bounds a single huge line by characters, on both sides, with the defaults', () => {
		const line = 'a=f(a,1);'.repeat(1_200_000);
		const cursor = Math.floor(line.length / 2);
		const { prefix, suffix } = lineWindow(line.slice(0, cursor), line.slice(cursor));
		assert.ok(prefix.length <= 16_384 && prefix.length > 16_384 - 1024, `prefix of ${prefix.length} characters`);
		assert.equal(suffix.length, 4096);
		assert.ok(line.slice(0, cursor).endsWith(prefix) && line.slice(cursor).startsWith(suffix), 'the characters next to the cursor');
	});
});

describe('the character window around the cursor', () => {
	const options = { maxCharsBefore: 100, maxCharsAfter: 10, alignChars: 16 };
	const digits = (length: number) => Array.from({ length }, (_, i) => String(i % 10)).join('');

	it('keeps short text as it is', () => {
		assert.deepEqual(charWindow('short', ' text', options), { before: 'short', after: ' text' });
	});

	it('cuts before the cursor on a multiple of the alignment, never holding more than the maximum', () => {
		const before = digits(250);
		const { before: kept } = charWindow(before, '', options);
		// 250 - 100 = 150, rounded up to 160: 90 characters kept.
		assert.equal(kept, before.slice(160));
	});

	it('keeps its cut while the user types, and moves it only past the next multiple', () => {
		const text = digits(400);
		const startOf = (cursor: number) => cursor - charWindow(text.slice(0, cursor), '', options).before.length;
		assert.equal(startOf(250), 160);
		assert.equal(startOf(255), 160, 'five characters typed: the same start');
		assert.equal(startOf(260), 160);
		assert.equal(startOf(261), 176, 'the next multiple once the window has moved past it');
	});

	it('starts on a line start when one comes soon after the cut', () => {
		const before = `${digits(165)}
${digits(85)}`;
		assert.equal(charWindow(before, '', options).before, digits(85));
	});

	it('cuts after the cursor at the maximum', () => {
		assert.equal(charWindow('', digits(50), options).after, digits(10));
	});

	it('never leaves half a surrogate pair at either end', () => {
		const emoji = '\u{1F600}';
		// The cut at 160 falls between the halves of the emoji at 159.
		const before = `${digits(159)}${emoji}${digits(89)}`;
		assert.equal(charWindow(before, '', options).before, digits(89));
		const after = `${digits(9)}${emoji}${digits(20)}`;
		assert.equal(charWindow('', after, options).after, digits(9));
	});

	it('gives back its own result unchanged, so bounding twice is bounding once', () => {
		const once = charWindow(`${digits(1000)}\n${digits(500)}`, digits(500), options);
		assert.deepEqual(charWindow(once.before, once.after, options), once);
	});
});
