import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateBora, triggerInlineCompletion, waitForReady, waitForState } from './boraApi';
import { readFixtures } from './fixtures';

describe('models: first-run welcome, then a local GGUF', () => {
	after(async () => {
		// Later suites expect the harness's model.
		const { models, names } = readFixtures();
		await vscode.workspace.getConfiguration().update('bora.modelPath', models.mistral4Fim, vscode.ConfigurationTarget.Global);
		await waitForReady(await activateBora(), names.mistral4Fim);
	});

	it('with no model, the Models view shows the machine and the catalog; picking a local file makes completion work', async () => {
		const client = await activateBora();
		const { models, names, canonicalFim, canonicalFimAlternative } = readFixtures();
		await vscode.workspace.getConfiguration().update('bora.modelPath', '', vscode.ConfigurationTarget.Global);
		await waitForState(client, state => state.kind === 'runtime' && state.runtime.kind === 'idle' && state.runtime.reason.code === 'noModel');

		const tree = client.models.tree;
		await tree.refresh();
		const roots = tree.getChildren();
		assert.equal(roots[0]?.kind, 'welcome', 'the welcome line leads the view when no model is configured');
		assert.equal(tree.current.error, undefined);
		assert.ok(tree.current.hardware && tree.current.hardware.ramTotal > 0, `hardware detected: ${JSON.stringify(tree.current)}`);
		assert.equal(tree.current.recommended.length, 7);
		const chatSection = roots.find(node => node.kind === 'section' && node.id === 'chat');
		const [advice] = chatSection ? tree.getChildren(chatSection) : [];
		assert.ok(advice?.kind === 'line' && /^(Runs well here|None runs well here): /.test(advice.text), `chat recommendations say what runs here: ${JSON.stringify(advice)}`);
		assert.ok(roots.some(node => node.kind === 'pickLocal'));

		// "Pick a local GGUF…" with the path the dialog would return.
		await vscode.commands.executeCommand('bora.models.pickLocal', models.qwenFim);
		await waitForReady(client, names.qwenFim);
		assert.notEqual(tree.getChildren()[0]?.kind, 'welcome');

		// An explicit trigger (as cycling with Alt+] sends) gets every candidate, best first.
		const { items } = await triggerInlineCompletion(client, canonicalFim.prefix, canonicalFim.suffix);
		assert.deepEqual(items.map(item => item.insertText), [canonicalFim.middle, canonicalFimAlternative]);
		await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
	});
});
