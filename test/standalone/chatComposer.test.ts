import assert from 'node:assert/strict';
import { describeContextChip } from '../../media/chat/contextChip';
import { insertMention, removeMention } from '../../media/chat/mentionText';

/** `|` marks the caret in the draft; `^` the `@` that opened the picker (or none). */
const pick = (draft: string, path: string) => {
	const at = draft.includes('^') ? draft.indexOf('^') : undefined;
	const plain = draft.replace('^', '@');
	const caret = plain.indexOf('|');
	const edit = insertMention(plain.replace('|', ''), at, caret, path);
	return edit.value.slice(0, edit.caret) + '|' + edit.value.slice(edit.caret);
};

describe('the @ picker in the chat input', () => {
	it('replaces the typed @ with the picked file, caret after it', () => {
		assert.equal(pick('Explain ^|', 'src/add.js'), 'Explain @src/add.js |');
		assert.equal(pick('^| please', 'add.js'), '@add.js |please');
	});

	it('replaces a query typed after the @ before the picker opened, and nothing beyond the caret', () => {
		assert.equal(pick('What does ^ad| do?', 'add.js'), 'What does @add.js |do?');
		assert.equal(pick('a ^ad|d b', 'add.js'), 'a @add.js |d b');
	});

	it('puts the reference at the caret when the @ is gone, and never drops text', () => {
		assert.equal(pick('Explain |', 'add.js'), 'Explain @add.js |');
		const at = 'x@'.length - 1;
		assert.deepEqual(insertMention('xy', at, 2, 'a.js'), { value: 'xy@a.js ', caret: 8 }, 'the @ at `at` was edited away');
	});

	it('removing a chip takes its @reference out of the draft, and only that one', () => {
		assert.equal(removeMention('Explain @src/add.js and @b.js now', 'src/add.js'), 'Explain and @b.js now');
		assert.equal(removeMention('@a.js', 'a.js'), '');
		assert.equal(removeMention('mail me@a.js.org', 'a.js'), 'mail me@a.js.org');
	});
});

describe('the current-file and selection chips', () => {
	it('a left-out chip says so and how to include it, with a closed eye; an included one the reverse', () => {
		assert.deepEqual(describeContextChip('File add.js', false), { text: 'File add.js', icon: 'eye-closed', title: 'Not included — click to include', ariaLabel: 'File add.js, not included' });
		assert.deepEqual(describeContextChip('File add.js', true), { text: 'File add.js', icon: 'eye', title: 'Included — click to leave it out', ariaLabel: 'File add.js, included' });
	});
});
