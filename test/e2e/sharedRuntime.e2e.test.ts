import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { canonicalFim } from '../models/fixtures';
import { prepareFixtureWorkspace } from './harness/fixtureWorkspace';
import { RunFolder } from './harness/RunFolder';
import { UiSession } from './harness/UiSession';

/** The workbench renders inline suggestions with this class (VS Code 1.139). */
const ghostText = '.ghost-text-decoration';

describe('two VS Code windows share one runtime: the packaged .vsix in code-server, two workspaces in two tabs', function () {
	this.timeout(10 * 60_000);
	let session: UiSession | undefined;
	let folder: RunFolder;
	let first: Page;
	let second: Page;
	const secondWorkspace = () => join(folder.root, 'ws2');

	before(async () => {
		session = await UiSession.start({
			name: 'shared',
			prepare: async runFolder => {
				await prepareFixtureWorkspace(runFolder);
				await runFolder.writeWorkspaceFile('../ws2/add.js', '');
			},
		});
		folder = session.folder;
		first = session.page;
		second = await session.openWindow(secondWorkspace());
	});

	afterEach(async function () {
		await session?.screenshotIfFailed(this.currentTest, first, '-1');
		await session?.screenshotIfFailed(this.currentTest, second, '-2');
	});

	after(async () => {
		const left = folder ? await runtimesOfThisRun(folder) : [];
		await session?.close();
		// Keep-alive is 0 in the run's settings, so the runtime exits with the last window; a leftover is stopped here.
		for (const pid of left) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// Already gone, as it should be.
			}
		}
	});

	const ghostTextInBoth = async (step: string) => {
		for (const [page, label] of [[first, 'first'], [second, 'second']] as const) {
			await typeFunctionHeader(session!, page);
			const ghost = page.locator(ghostText);
			await ghost.first().waitFor({ timeout: 60_000 });
			const shown = (await ghost.allTextContents()).join('').replace(/\u00a0/g, ' ');
			assert.equal(shown.trim(), canonicalFim.middle.trim(), `the suggestion in the ${label} window (${step})`);
			await session!.screenshot(`${step}-ghost-text-${label}`, page);
		}
	};

	it('ghost text works in both windows', async () => {
		await ghostTextInBoth('start');
	});

	it('both windows name the same runtime process in Bora: Show Runtime Status, each marked as "this window"', async () => {
		const firstStatus = await readRuntimeStatus(session!, first);
		const secondStatus = await readRuntimeStatus(session!, second);
		assert.equal(firstStatus.windows, 2, `two windows connected: ${firstStatus.windowsLine}`);
		assert.equal(secondStatus.windows, 2, `two windows connected: ${secondStatus.windowsLine}`);
		assert.equal(firstStatus.pid, secondStatus.pid, 'the same runtime process id in both windows');
		assert.match(firstStatus.windowsLine, /\bws \(this window/);
		assert.match(secondStatus.windowsLine, /\bws2 \(this window/);
		// And the machine agrees: exactly one runtime process started for this run's socket folder, with that pid.
		assert.deepEqual(await runtimesOfThisRun(folder), [firstStatus.pid]);
	});

	it('kill -9 of the runtime: both windows say so and reconnect to one new runtime, and ghost text works again in both', async () => {
		const { pid } = await readRuntimeStatus(session!, first);
		process.kill(pid, 'SIGKILL');
		for (const page of [first, second]) {
			await page.locator('.notifications-toasts', { hasText: "Bora's shared runtime stopped" }).first().waitFor({ timeout: 60_000 });
		}
		const [firstStatus, secondStatus] = [await waitForNewRuntime(session!, first, pid), await waitForNewRuntime(session!, second, pid)];
		assert.equal(firstStatus.pid, secondStatus.pid, 'both windows reconnected to the same new runtime');
		assert.deepEqual(await runtimesOfThisRun(folder), [firstStatus.pid], 'exactly one runtime came back');
		await ghostTextInBoth('after-kill');
	});

	it('Bora: Restart Runtime asks first, because another window uses the runtime, then both windows reconnect to a new one', async () => {
		const { pid } = await readRuntimeStatus(session!, first);
		await session!.runCommand('Bora: Restart Runtime', first);
		const dialog = first.locator('.monaco-dialog-box');
		await dialog.waitFor({ timeout: 30_000 });
		assert.match(await dialog.textContent() ?? '', /2 windows use this runtime \(this one and ws2\)/);
		await session!.screenshot('restart-confirmation', first);
		await dialog.getByRole('button', { name: 'Restart for All Windows' }).click();
		const [firstStatus, secondStatus] = [await waitForNewRuntime(session!, first, pid), await waitForNewRuntime(session!, second, pid)];
		assert.equal(firstStatus.pid, secondStatus.pid);
		assert.deepEqual(await runtimesOfThisRun(folder), [firstStatus.pid]);
	});
});

/**
 * Reads Show Runtime Status in `page` until it names a runtime other than `oldPid` with both windows
 * connected again (each window reconnects on its own, so the first answers may still be the old
 * state or miss the other window).
 */
async function waitForNewRuntime(session: UiSession, page: Page, oldPid: number, timeoutMs = 90_000): Promise<ShownStatus> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		await page.locator('.statusbar-item', { hasText: 'Bora:' }).filter({ has: page.locator('.codicon-sparkle') }).first().waitFor({ timeout: timeoutMs });
		const status = await readRuntimeStatus(session, page).catch(() => undefined);
		if (status && status.pid !== oldPid && status.windows === 2) {
			return status;
		}
		if (Date.now() > deadline) {
			throw new Error(`No new runtime with both windows within ${timeoutMs} ms; last seen: ${JSON.stringify(status)}`);
		}
		await new Promise(resolve => setTimeout(resolve, 500));
	}
}

/** Opens add.js in `page`, empties it and types the canonical function header; VS Code closes the brace. */
async function typeFunctionHeader(session: UiSession, page: Page): Promise<void> {
	await session.focusWorkbench(page);
	await session.openFile('add.js', page);
	const editor = page.locator('.editor-group-container .monaco-editor .view-lines').first();
	await editor.waitFor();
	await editor.click();
	await page.keyboard.press('Escape');
	await page.keyboard.press('Control+A');
	await page.keyboard.press('Delete');
	await page.keyboard.type(canonicalFim.prefix);
}

interface ShownStatus {
	readonly pid: number;
	readonly windows: number;
	readonly windowsLine: string;
}

/** Runs Bora: Show Runtime Status in `page` and reads the runtime's pid and the connected windows from the picker, by filtering it. */
async function readRuntimeStatus(session: UiSession, page: Page): Promise<ShownStatus> {
	await session.runCommand('Bora: Show Runtime Status', page);
	const rows = page.locator('.quick-input-list .monaco-list-row');
	const input = page.locator('.quick-input-widget input');
	const rowMatching = async (filter: string, pattern: RegExp): Promise<string> => {
		await input.fill(filter);
		const row = rows.filter({ hasText: pattern }).first();
		await row.waitFor({ timeout: 30_000 });
		return (await row.textContent() ?? '').replace(/\u00a0/g, ' ');
	};
	// The picker opens once the runtime answered; its action rows tell it from the closing Command Palette.
	await rows.filter({ hasText: 'Show Runtime Log' }).first().waitFor({ timeout: 30_000 });
	await page.locator('.quick-input-widget').screenshot({ path: join(session.folder.artifacts, `status-${Date.now()}.png`) }).catch(() => undefined);
	const runtimeLine = await rowMatching('Shared runtime', /Shared runtime · pid \d+/);
	const windowsLine = await rowMatching('Windows connected', /Windows connected \(\d+\)/);
	await page.keyboard.press('Escape');
	return {
		pid: Number(/pid (\d+)/.exec(runtimeLine)![1]),
		windows: Number(/Windows connected \((\d+)\)/.exec(windowsLine)![1]),
		windowsLine,
	};
}

/** Pids of the Bora runtimes whose environment points at this run's socket folder (other runs and the user's own runtime are left out). */
async function runtimesOfThisRun(folder: RunFolder): Promise<number[]> {
	const pids: number[] = [];
	for (const entry of await readdir('/proc')) {
		if (!/^\d+$/.test(entry)) {
			continue;
		}
		try {
			const command = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
			if (!command.some(arg => arg.endsWith('server.mjs')) || !command.includes('--listen')) {
				continue;
			}
			const environment = (await readFile(`/proc/${entry}/environ`, 'utf8')).split('\0');
			if (environment.includes(`BORA_RUNTIME_DIR=${folder.runtimeDir}`)) {
				pids.push(Number(entry));
			}
		} catch {
			// The process ended while being read, or belongs to someone else.
		}
	}
	return pids.sort((a, b) => a - b);
}
