import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { BoraApi } from '../../../src/extension/BoraApi';
import { formatBytes } from '../../../src/shared/formatBytes';
import { activateBora, runtimePids, triggerInlineCompletion, waitForState } from './boraApi';
import { readFixtures } from './fixtures';

/** Resolves once the runtime is ready with the fixture model over the wanted transport. */
function waitForMode(client: BoraApi, shared: boolean) {
	return waitForState(client, state => client.runtime.isShared === shared && state.kind === 'runtime' && state.runtime.kind === 'ready' && state.runtime.model.name === readFixtures().names.mistral4Fim);
}

/** The process's command line, as the kernel has it. */
function commandLine(pid: number): string[] {
	return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
}

function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Resolves once the runtime's status reports `minutes` of keep-alive (the pushed setting has reached it). */
function waitForKeepAlive(client: BoraApi, minutes: number): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		const done = (error?: Error) => {
			clearTimeout(timer);
			subscription.dispose();
			if (error) {
				reject(error);
			} else {
				resolve();
			}
		};
		const timer = setTimeout(() => done(new Error(`The runtime never reported a keep-alive of ${minutes} minutes`)), 30_000);
		// Listening first, then asking: the change notification may come either before or after the answer.
		const subscription = client.runtime.onDidChangeSharedStatus(status => status?.keepAliveMinutes === minutes && done());
		client.runtime.refreshSharedStatus().then(status => status.keepAliveMinutes === minutes && done(), done);
	});
}

async function completesCanonically(client: BoraApi): Promise<void> {
	const { canonicalFim } = readFixtures();
	const { items } = await triggerInlineCompletion(client, canonicalFim.prefix, canonicalFim.suffix);
	assert.deepEqual(items.map(item => item.insertText), [canonicalFim.middle]);
	await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

describe('shared runtime (bora.runtime.shared, on by default)', () => {
	after(async () => {
		await vscode.workspace.getConfiguration().update('bora.runtime.shared', undefined, vscode.ConfigurationTarget.Global);
		await vscode.workspace.getConfiguration().update('bora.runtime.keepAliveMinutes', 0, vscode.ConfigurationTarget.Global);
		await waitForMode(await activateBora(), true);
	});

	it('this window talks to a shared runtime started with --listen, and Show Runtime Status lists this window', async () => {
		const client = await activateBora();
		await waitForMode(client, true);
		const status = await client.runtime.refreshSharedStatus();
		assert.equal(status.shared, true);
		assert.ok(commandLine(status.pid).includes('--listen'), `pid ${status.pid} is the listening runtime: ${commandLine(status.pid).join(' ')}`);
		const self = status.windows.filter(window => window.self);
		assert.equal(self.length, 1, 'exactly one window is "this window"');
		assert.equal(self[0]!.name, vscode.workspace.name);
		assert.equal(self[0]!.pid, process.pid, "the extension host's pid from initialize");
		assert.equal(self[0]!.focused, vscode.window.state.focused, 'the focus this window reported (bora/windowState)');
		const model = status.models.find(candidate => candidate.path === readFixtures().models.mistral4Fim);
		assert.ok(model, `the fixture model is listed: ${JSON.stringify(status.models)}`);
		assert.deepEqual(model.windowIds, [self[0]!.id]);

		const report = await client.runtime.status();
		assert.ok(report.lines.some(line => line.startsWith(`Shared runtime · pid ${status.pid} · build ${status.buildHash}`)), report.lines.join('\n'));
		assert.ok(report.lines.includes(`Windows connected (1): ${vscode.workspace.name} (this window${self[0]!.focused ? ', focused' : ''})`), report.lines.join('\n'));
		assert.ok(report.lines.some(line => line.startsWith(`Model: ${model.name} · `) && line.endsWith(`used by ${vscode.workspace.name} (this window)`)), report.lines.join('\n'));
		// The Models view's "In use" section says the same briefly.
		const inUse = client.models.tree.getChildren({ kind: 'section', id: 'active', label: 'In use' });
		assert.ok(inUse.some(node => node.kind === 'line' && node.text === `Shared runtime: ${model.name} · used by 1 window · ${formatBytes(model.bytes)}`), JSON.stringify(inUse));
		await completesCanonically(client);
	});

	it('turning bora.runtime.shared off restarts the client on a runtime of its own, and the shared runtime outlives it; on again reconnects to that one', async () => {
		const client = await activateBora();
		await waitForMode(client, true);
		// A keep-alive long enough that the shared runtime waits for this window to come back (the run's default is 0: exit at once).
		await vscode.workspace.getConfiguration().update('bora.runtime.keepAliveMinutes', 5, vscode.ConfigurationTarget.Global);
		const sharedPid = (await client.runtime.refreshSharedStatus()).pid;
		await waitForKeepAlive(client, 5);

		await vscode.workspace.getConfiguration().update('bora.runtime.shared', false, vscode.ConfigurationTarget.Global);
		await waitForMode(client, false);
		const own = await client.runtime.refreshSharedStatus();
		assert.equal(own.shared, false);
		assert.notEqual(own.pid, sharedPid);
		// The shared runtime this window started may still be exiting (keep-alive 0), so only membership is checked.
		assert.ok(runtimePids().includes(own.pid), 'the runtime of its own is a child of this extension host');
		assert.ok(!commandLine(own.pid).includes('--listen'));
		assert.ok(isRunning(sharedPid), 'leaving only disconnected this window: the shared runtime still runs');
		await completesCanonically(client);

		await vscode.workspace.getConfiguration().update('bora.runtime.shared', true, vscode.ConfigurationTarget.Global);
		await waitForMode(client, true);
		const shared = await client.runtime.refreshSharedStatus();
		assert.equal(shared.shared, true);
		assert.equal(shared.pid, sharedPid, 'back on the runtime it left');
		assert.equal(shared.windows.filter(window => window.self).length, 1);
		await completesCanonically(client);
	});
});
