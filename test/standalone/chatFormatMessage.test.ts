import assert from 'node:assert/strict';
import { formatMessage } from '../../src/extension/chat/formatMessage';

describe('chat message with context', () => {
	it('is the plain text when nothing is attached', () => {
		assert.equal(formatMessage('hi', []), 'hi');
	});

	it('writes each attachment as a fenced block headed by its name', () => {
		assert.equal(formatMessage('Explain this', [
			{ label: 'add.js:1-2', language: 'javascript', text: 'function add(a, b) {\n}' },
			{ label: 'notes.md', language: 'markdown', text: '# Notes\n' },
		]), 'Explain this\n\nadd.js:1-2:\n```javascript\nfunction add(a, b) {\n}\n```\n\nnotes.md:\n```markdown\n# Notes\n```');
	});

	it('uses a longer fence than any backtick run in the attached text', () => {
		assert.equal(formatMessage('q', [{ label: 'README.md', language: 'markdown', text: '```js\nx\n```' }]),
			'q\n\nREADME.md:\n````markdown\n```js\nx\n```\n````');
	});
});
