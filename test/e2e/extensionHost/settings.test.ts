import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateBora, waitForReady, waitForState } from './boraApi';
import { readFixtures } from './fixtures';

describe('settings reach the runtime', () => {
	const config = () => vscode.workspace.getConfiguration();

	afterEach(async () => {
		await config().update('bora.modelPath', readFixtures().models.mistral4Fim, vscode.ConfigurationTarget.Global);
		await waitForReady(await activateBora(), readFixtures().names.mistral4Fim);
	});

	it('a new bora.modelPath loads that model', async () => {
		const client = await activateBora();
		const { models, names } = readFixtures();
		await config().update('bora.modelPath', models.qwenFim, vscode.ConfigurationTarget.Global);
		const ready = await waitForReady(client, names.qwenFim);
		assert.equal(ready.runtime.model.architecture, 'qwen2');
		assert.deepEqual(ready.runtime.model.fim, { supported: true, format: 'qwen' });
	});

	it('a missing model path shows an error with the path and an action', async () => {
		const client = await activateBora();
		await config().update('bora.modelPath', '/nowhere/missing.gguf', vscode.ConfigurationTarget.Global);
		const state = await waitForState(client, s => s.kind === 'runtime' && s.runtime.kind === 'error');
		assert.ok(state.kind === 'runtime' && state.runtime.kind === 'error');
		assert.equal(state.runtime.error.code, 'modelNotFound');
		assert.equal(state.runtime.error.message, 'Model file not found: /nowhere/missing.gguf');
	});
});
