import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateBora, waitForReady, waitForState } from './boraApi';
import { readFixtures } from './fixtures';

describe('settings reach the runtime', () => {
	const config = () => vscode.workspace.getConfiguration();

	afterEach(async () => {
		await config().update('bora.modelPath', readFixtures().models.mistral4Fim, vscode.ConfigurationTarget.Global);
		// Not just "ready": a refused path leaves a ready state too, and fixing it loads the model again. A
		// completion asked during that load (the next suite's) fails, and VS Code then stops asking for a while.
		const name = readFixtures().names.mistral4Fim;
		await waitForState(await activateBora(), state => state.kind === 'runtime' && state.runtime.kind === 'ready' && !state.runtime.rejected && state.runtime.model.name === name);
	});

	it('a new bora.modelPath loads that model', async () => {
		const client = await activateBora();
		const { models, names } = readFixtures();
		await config().update('bora.modelPath', models.qwenFim, vscode.ConfigurationTarget.Global);
		const ready = await waitForReady(client, names.qwenFim);
		assert.equal(ready.runtime.model.architecture, 'qwen2');
		assert.deepEqual(ready.runtime.model.fim, { supported: true, format: 'qwen' });
	});

	it('a missing model path is reported with the path and an action, and the working model stays', async () => {
		const client = await activateBora();
		await config().update('bora.modelPath', '/nowhere/missing.gguf', vscode.ConfigurationTarget.Global);
		const state = await waitForState(client, s => s.kind === 'runtime' && s.runtime.kind === 'ready' && s.runtime.rejected !== undefined);
		assert.ok(state.kind === 'runtime' && state.runtime.kind === 'ready' && state.runtime.rejected);
		assert.equal(state.runtime.model.name, readFixtures().names.mistral4Fim, 'the previous model is still loaded');
		assert.equal(state.runtime.rejected.modelPath, '/nowhere/missing.gguf');
		assert.equal(state.runtime.rejected.error.code, 'modelNotFound');
		assert.equal(state.runtime.rejected.error.message, 'Model file not found: /nowhere/missing.gguf');
	});
});
