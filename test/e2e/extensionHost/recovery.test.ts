import assert from 'node:assert/strict';
import { activateBora, runtimePids, waitForReady, waitForState } from './boraApi';
import { readFixtures } from './fixtures';

describe('runtime crash', () => {
	it('a runtime that dies is restarted and loads the model again', async () => {
		const client = await activateBora();
		await waitForReady(client);
		const [pid] = runtimePids();
		assert.ok(pid, 'the runtime runs as a child process of the extension host');
		const restarting = waitForState(client, state => state.kind === 'starting');
		process.kill(pid, 'SIGKILL');
		await restarting;
		await waitForReady(client, readFixtures().names.mistral4Fim);
		const [newPid] = runtimePids();
		assert.ok(newPid && newPid !== pid, 'a new runtime process');
	});
});
