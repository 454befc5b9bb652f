import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { activateBora, waitForReady, waitForState } from './boraApi';
import { readFixtures } from './fixtures';

/** The runtime processes this extension host started (these tests run inside the extension host). */
function runtimePids(): number[] {
	try {
		return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'dist/server.mjs'], { encoding: 'utf8' }).trim().split('\n').map(Number);
	} catch {
		return [];
	}
}

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
