import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateBora, extensionId, waitForReady } from './boraApi';
import { readFixtures } from './fixtures';

describe('activation', () => {
	it('activates after startup and reaches the ready state with the configured model', async () => {
		const extension = vscode.extensions.getExtension(extensionId);
		assert.ok(extension, 'Bora is loaded');
		const client = await activateBora();
		assert.equal(extension.isActive, true);
		const ready = await waitForReady(client, readFixtures().names.mistral4Fim);
		assert.equal(ready.runtime.backend, 'cpu');
		assert.equal(ready.runtime.model.architecture, 'mistral4');
		assert.deepEqual(ready.runtime.model.fim, { supported: true, format: 'mistral' });
	});
});
