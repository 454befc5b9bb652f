import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateBora, waitForReady, waitForState } from './boraApi';
import { readFixtures } from './fixtures';

const boraCommands = ['bora.selectModel', 'bora.restartRuntime', 'bora.toggleCompletion', 'bora.showLog', 'bora.showStatus', 'bora.setRemoteApiKey', 'bora.testRemoteEngine'];

describe('commands', () => {
	it('are all registered', async () => {
		await activateBora();
		const all = new Set(await vscode.commands.getCommands(true));
		for (const command of boraCommands) {
			assert.ok(all.has(command), `${command} is registered`);
		}
	});

	it('Toggle Inline Completion flips the setting both ways', async () => {
		await activateBora();
		const enabled = () => vscode.workspace.getConfiguration().get<boolean>('bora.completion.enabled');
		assert.equal(enabled(), true);
		assert.equal(await vscode.commands.executeCommand('bora.toggleCompletion'), false);
		assert.equal(enabled(), false);
		assert.equal(await vscode.commands.executeCommand('bora.toggleCompletion'), true);
		assert.equal(enabled(), true);
	});

	it('Restart Runtime starts a new runtime process that loads the model again', async () => {
		const client = await activateBora();
		await waitForReady(client);
		const restarting = waitForState(client, state => state.kind === 'starting');
		const restart = vscode.commands.executeCommand('bora.restartRuntime');
		await restarting;
		await restart;
		const ready = await waitForReady(client, readFixtures().names.mistral4Fim);
		assert.ok(ready.runtime.loadMs >= 0);
	});

	it('Show Runtime Log runs', async () => {
		await vscode.commands.executeCommand('bora.showLog');
	});
});
