import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateBora, triggerInlineCompletion, waitForReady } from './boraApi';
import { readFixtures } from './fixtures';

describe('inline completion in an editor', () => {
	it('shows the fixture model\'s exact middle, and accepting it writes it into the document', async () => {
		const client = await activateBora();
		const { canonicalFim, names } = readFixtures();
		await waitForReady(client, names.mistral4Fim);
		const { document, items } = await triggerInlineCompletion(client, canonicalFim.prefix, canonicalFim.suffix);
		assert.deepEqual(items.map(item => item.insertText), [canonicalFim.middle]);

		// The suggestion is on screen once the provider has answered; accepting it edits the document.
		const expected = `${canonicalFim.prefix}${canonicalFim.middle}${canonicalFim.suffix}\n`;
		for (let attempt = 0; attempt < 50 && document.getText() !== expected; attempt++) {
			await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
			if (document.getText() !== expected) {
				await new Promise(resolve => setTimeout(resolve, 100));
			}
		}
		assert.equal(document.getText(), expected);
		await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
	});
});
