import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fimTextAt } from '../../src/lsp/documentContext';
import { splitCursor } from '../support/RuntimeServerProcess';

function at(textWithCursor: string, options?: Parameters<typeof fimTextAt>[2]) {
	const { text, position } = splitCursor(textWithCursor);
	return fimTextAt(TextDocument.create('file:///a.ts', 'typescript', 1, text), position, options);
}

describe('FIM text around the cursor', () => {
	it('splits at the cursor', () => {
		assert.deepEqual(at('function add(a, b) {|}\n'), { prefix: 'function add(a, b) {', suffix: '}\n' });
		assert.deepEqual(at('|'), { prefix: '', suffix: '' });
	});

	it('keeps only the configured lines around the cursor', () => {
		const lines = Array.from({ length: 10 }, (_, i) => `l${i}`);
		lines[5] = 'l5|';
		assert.deepEqual(at(lines.join('\n'), { linesBefore: 2, linesAfter: 1 }), { prefix: 'l3\nl4\nl5', suffix: '\nl6\n' });
	});
});
