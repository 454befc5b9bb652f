import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { canonicalFim, ensureFixtureModels, fixtureDisplayNames } from '../models/fixtures';
import { prepareFixtureWorkspace } from './harness/fixtureWorkspace';
import { RunFolder } from './harness/RunFolder';
import { UiSession } from './harness/UiSession';

/** The workbench renders inline suggestions with this class (VS Code 1.139). */
const ghostText = '.ghost-text-decoration';

describe('Bora as a user meets it: the packaged .vsix installed in a real VS Code, driven by Playwright', function () {
	this.timeout(10 * 60_000);
	let folder: RunFolder;
	let session: UiSession | undefined;
	let page: Page;
	const screenshot = async (name: string) => session?.screenshot(name);

	before(async () => {
		session = await UiSession.start({ name: 'ui', prepare: async runFolder => { await prepareFixtureWorkspace(runFolder); } });
		folder = session.folder;
		page = session.page;
	});

	afterEach(async function () {
		await session?.screenshotIfFailed(this.currentTest);
	});

	after(async () => {
		await session?.close();
	});

	it('the status bar shows the ready state with the model name', async () => {
		const item = page.locator('.statusbar-item', { hasText: `Bora: ${fixtureDisplayNames.mistral4Fim}` });
		await item.waitFor({ timeout: 120_000 });
		assert.ok(await item.locator('.codicon-sparkle').count() > 0, 'the ready icon');
		await screenshot('ready');
	});

	it('typing `function add(a, b) {` shows the model\'s suggestion as ghost text', async () => {
		await session!.openFile('add.js');
		const editor = page.locator('.editor-group-container .monaco-editor .view-lines').first();
		await editor.waitFor();
		await editor.click();
		await page.keyboard.type(canonicalFim.prefix);
		const ghost = page.locator(ghostText);
		await ghost.first().waitFor({ timeout: 60_000 });
		// The renderer may draw the leading space outside the decoration; the exact text is checked after Tab.
		const shown = (await ghost.allTextContents()).join('').replace(/\u00a0/g, ' ');
		assert.equal(shown.trim(), canonicalFim.middle.trim());
		await screenshot('ghost-text');
	});

	it('Tab accepts it into the document', async () => {
		await page.keyboard.press('Tab');
		await page.locator(ghostText).first().waitFor({ state: 'detached' });
		await page.keyboard.press('Control+S');
		const path = join(folder.workspace, 'add.js');
		// VS Code closes the brace as the user types it, so the suffix is `}`.
		const expected = `${canonicalFim.prefix}${canonicalFim.middle}${canonicalFim.suffix}`;
		for (let attempt = 0; attempt < 50 && (await readFile(path, 'utf8')) !== expected; attempt++) {
			await new Promise(resolve => setTimeout(resolve, 100));
		}
		assert.equal(await readFile(path, 'utf8'), expected);
		await screenshot('accepted');
	});

	it("a missing model path's notification offers Select Model… and Open Settings, and Open Settings opens the Remote tab at bora.modelPath", async () => {
		const machine = { 'bora.threads': 2, 'bora.gpu': 'off', 'bora.runtime.keepAliveMinutes': 0 };
		// What a user does by hand: the machine settings file (the Remote tab's) names a file that is not there.
		await folder.writeSettings({}, { ...machine, 'bora.modelPath': '/nowhere/missing.gguf' });
		const toast = page.locator('.notification-toast', { hasText: 'Model file not found: /nowhere/missing.gguf' });
		await toast.waitFor({ timeout: 60_000 });
		await toast.locator('.monaco-button', { hasText: 'Select Model…' }).waitFor();
		await screenshot('missing-model-notification');
		await toast.locator('.monaco-button', { hasText: 'Open Settings' }).click();
		const editor = page.locator('.settings-editor');
		await editor.waitFor();
		await page.locator('.settings-editor .settings-tabs-widget .action-label.checked', { hasText: 'Remote' }).waitFor();
		await editor.locator('.setting-item-contents', { hasText: 'Model Path' }).first().waitFor();
		const query = await editor.locator('.settings-header .suggest-input-container .view-lines').first().textContent();
		assert.equal(query?.replace(/\u00a0/g, ' ').trim(), 'bora.modelPath');
		await screenshot('open-settings-remote-tab');

		// The working model stayed loaded, and a fixed setting is taken up again.
		await page.locator('.statusbar-item', { hasText: `Bora: ${fixtureDisplayNames.mistral4Fim}` }).waitFor();
		await folder.writeSettings({}, { ...machine, 'bora.modelPath': (await ensureFixtureModels()).mistral4Fim });
		await page.locator('.statusbar-item', { hasText: `Bora: ${fixtureDisplayNames.mistral4Fim}` }).filter({ has: page.locator('.codicon-sparkle') }).waitFor({ timeout: 60_000 });
	});
});
