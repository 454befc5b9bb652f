import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { statusPickItems } from '../../../src/extension/commands';
import type { ErrorActionRun } from '../../../src/extension/ErrorActionRunner';
import { activateBora, triggerInlineCompletion, waitForReady, waitForState } from './boraApi';
import { readFixtures } from './fixtures';

describe('errors that act', () => {
	const config = () => vscode.workspace.getConfiguration();

	afterEach(async () => {
		await config().update('bora.modelPath', readFixtures().models.mistral4Fim, vscode.ConfigurationTarget.Global);
		// Not just "ready": the refused state is ready too, and the runtime loads the model again once the
		// path is fixed. A completion asked during that load fails, and VS Code then stops asking for a while.
		const name = readFixtures().names.mistral4Fim;
		await waitForState(await activateBora(), state => state.kind === 'runtime' && state.runtime.kind === 'ready' && !state.runtime.rejected && state.runtime.model.name === name);
	});

	it('a missing model path offers Select Model… and Open Settings; Open Settings opens the Remote tab at bora.modelPath', async () => {
		const client = await activateBora();
		await waitForReady(client, readFixtures().names.mistral4Fim);
		await config().update('bora.modelPath', '/nowhere/missing.gguf', vscode.ConfigurationTarget.Global);
		await waitForState(client, state => state.kind === 'runtime' && state.runtime.kind === 'ready' && state.runtime.rejected?.modelPath === '/nowhere/missing.gguf');

		const buttons = client.errors.actions();
		assert.deepEqual(buttons.map(button => button.label), ['Select Model…', 'Open Settings'], JSON.stringify(buttons));
		const open = buttons[1]!.action;
		assert.deepEqual(open, { kind: 'openSettings', settingId: 'bora.modelPath' });

		// The status quick pick (Show Runtime Status) offers the same two first, then the actions, then the details.
		const items = statusPickItems(await client.runtime.status(), client.currentState, true);
		const labels = items.map(item => item.label);
		assert.deepEqual(labels.slice(0, 9), [
			'Fix', '$(wrench) Select Model…', '$(wrench) Open Settings',
			'Actions', '$(comment-discussion) Open Chat', '$(library) Show Models', '$(lightbulb) Set Reasoning Effort…', '$(debug-restart) Restart Runtime',
			'$(circle-slash) Turn Off Inline Completion',
		], labels.join('\n'));
		assert.ok(labels.indexOf('Details') > labels.indexOf('$(gear) Open Settings'), 'the details come after every action');
		assert.ok(labels.some(label => label.startsWith('/nowhere/missing.gguf was not loaded')), labels.join('\n'));

		// A click on the button (the tooltip's link runs this same command): code-server is a remote window, and
		// bora.modelPath a machine setting, so the Remote tab opens, searching for it.
		const ran = new Promise<ErrorActionRun>(resolve => {
			const once = client.errors.onDidRun(run => {
				once.dispose();
				resolve(run);
			});
		});
		assert.ok(vscode.env.remoteName, 'code-server runs the extension in a remote window');
		await vscode.commands.executeCommand('bora.runErrorAction', open);
		assert.deepEqual(await ran, { kind: 'command', command: 'workbench.action.openRemoteSettings', args: [{ query: 'bora.modelPath' }] });
		const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
		assert.ok(tab && /settings/i.test(tab.label), `the settings editor is the active tab: ${tab?.label}`);
		await vscode.window.tabGroups.close(tab);

		// Completion still works with the model that stayed.
		const { canonicalFim } = readFixtures();
		const { items: suggestions } = await triggerInlineCompletion(client, canonicalFim.prefix, canonicalFim.suffix);
		assert.deepEqual(suggestions.map(item => item.insertText), [canonicalFim.middle]);
	});

	it('the button command refuses anything that is not one of the actions', async () => {
		const client = await activateBora();
		let runs = 0;
		const counting = client.errors.onDidRun(() => runs++);
		try {
			await vscode.commands.executeCommand('bora.runErrorAction', { kind: 'openSettings', settingId: 'editor.fontSize' });
			await vscode.commands.executeCommand('bora.runErrorAction', { kind: 'command', command: 'workbench.action.terminal.new' });
			await vscode.commands.executeCommand('bora.runErrorAction', 'selectModel');
		} finally {
			counting.dispose();
		}
		assert.equal(runs, 0);
	});
});
