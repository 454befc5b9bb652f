import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { demoChat, demoFim } from '../models/fixtures';
import { visionAnswers } from '../models/vision/visionFixtures';
import { prepareDemoWorkspace } from './harness/demoWorkspace';
import { UiSession } from './harness/UiSession';

/**
 * `npm start` without a model, as a new user meets it: the demo workspace and its generated models
 * (completion, a chat model that thinks, a vision projector), VS Code's own chat off, a first run.
 */
describe('the npm start demo in a real VS Code, driven by Playwright', function () {
	this.timeout(10 * 60_000);
	let session: UiSession | undefined;
	let page: Page;
	let chat: FrameLocator;
	const screenshot = async (name: string) => session?.screenshot(name);

	before(async () => {
		session = await UiSession.start({
			name: 'demo',
			openFile: 'add.js',
			prepare: async folder => {
				// One thread: on a busy 2-core machine two threads wait on each other and generation drops to a
				// few tokens a second, which the completion time budget (1.5 s) would cut to the first line.
				await prepareDemoWorkspace(folder, {}, { 'bora.threads': 1, 'bora.gpu': 'off', 'bora.runtime.keepAliveMinutes': 0 });
			},
		});
		page = session.page;
	});

	afterEach(async function () {
		await session?.screenshotIfFailed(this.currentTest);
	});

	after(async () => {
		await session?.close();
	});

	const lastTurn = () => chat.locator('article.turn').last();
	const lastTurnDone = async () => {
		await chat.locator('article.turn:last-child[aria-busy="false"]').waitFor({ timeout: 180_000 });
		await chat.locator('#send:not([disabled])').waitFor();
	};
	const send = async (text: string) => {
		const input = chat.locator('#input');
		await input.click();
		await input.fill(text);
		await input.press('Enter');
		await chat.locator('article.turn', { hasText: text }).last().waitFor();
	};

	/** A context menu's item: hovering focuses it, Enter runs it (a click right after the menu opens can be ignored). */
	const pickMenuItem = async (label: string) => {
		const item = page.locator('.monaco-menu .action-item', { hasText: label }).first();
		await item.hover();
		await page.keyboard.press('Enter');
		await page.locator('.monaco-menu').first().waitFor({ state: 'detached' });
	};

	it('opens add.js, and the walkthrough opens by itself on the first run', async () => {
		await page.locator('.tab', { hasText: 'add.js' }).waitFor({ timeout: 60_000 });
		await page.locator('.part.editor', { hasText: 'Get Started with Bora' }).first().waitFor({ timeout: 60_000 });
		for (const step of ['Pick or download a model', 'Try completion', 'Open the chat', 'Ask about a screenshot']) {
			await page.locator('.part.editor', { hasText: step }).first().waitFor();
		}
		await screenshot('first-run');
		// Its media is a webview too; closing it leaves the chat's the only one (and the chat its width).
		await page.locator('.tab', { hasText: 'Welcome' }).click({ button: 'middle' });
		await page.locator('.tab', { hasText: 'Welcome' }).waitFor({ state: 'detached' });
		await page.locator('.tab', { hasText: 'add.js' }).waitFor();
	});

	it('completion writes a body of several lines in add.js', async () => {
		await page.locator('.tab', { hasText: 'add.js' }).first().click();
		const editor = page.locator('.editor-group-container .monaco-editor .view-lines', { hasText: 'Bora demo' }).first();
		await editor.click();
		await page.keyboard.press('Control+End');
		await page.keyboard.type(demoFim.prefix);
		// The body starts with a line break, so VS Code draws it (syntax-coloured) in a view zone below the
		// typed line rather than as `.ghost-text-decoration`. Neither line is in the file yet.
		const shown = (line: string) => page.locator('.editor-group-container .monaco-editor', { hasText: line }).first().waitFor({ timeout: 60_000 });
		await shown('Written by the tiny generated demo model.');
		await shown('return a + b;');
		await screenshot('multi-line-ghost-text');
		await page.keyboard.press('Tab');
		// Accepted: the body is now lines of the document itself.
		await page.locator('.editor-group-container .monaco-editor .view-lines', { hasText: 'return a + b;' }).first().waitFor();
		await page.keyboard.press('Control+S');
		const path = join(session!.folder.workspace, 'add.js');
		const expected = `${demoFim.prefix}${demoFim.middle}${demoFim.suffix}`;
		for (let attempt = 0; attempt < 50 && !(await readFile(path, 'utf8')).endsWith(`${expected}\n\n`); attempt++) {
			await new Promise(resolve => setTimeout(resolve, 100));
		}
		assert.ok((await readFile(path, 'utf8')).includes(expected), await readFile(path, 'utf8'));
		await screenshot('multi-line-accepted');
	});

	it('Ctrl+Shift+Alt+B opens Bora\'s chat, alone in the Secondary Side Bar', async () => {
		await session!.focusWorkbench();
		await page.keyboard.press('Control+Shift+Alt+B');
		chat = session!.chat;
		await chat.locator('#input').waitFor({ timeout: 60_000 });
		// Webview iframes float above the parts, so the part is known by the view's title.
		await page.locator('.part.auxiliarybar', { hasText: 'Bora Chat' }).waitFor();
		// VS Code's own chat is off in the demo (chat.disableAIFeatures): one assistant, not two.
		assert.equal(await page.locator('.part.auxiliarybar', { hasText: 'Build with Agent' }).count(), 0);
		await screenshot('chat-open');
	});

	it('the chat thinks on High, with its budget, and not on Off; the answer says it is the tiny demo model', async () => {
		await chat.locator('#effort').selectOption('high');
		await page.locator('.statusbar-item', { hasText: 'Effort: High' }).waitFor();
		await send('What can you do?');
		const thinking = lastTurn().locator('details.thinking');
		await thinking.locator('summary').waitFor({ timeout: 120_000 });
		await lastTurnDone();
		assert.match(await thinking.locator('summary').innerText(), /^Thinking · \d+ \/ \d+ tokens$/);
		assert.equal((await lastTurn().locator('.answer').innerText()).trim(), demoChat.answer);
		await thinking.locator('summary').click();
		assert.match(await thinking.innerText(), /Demo thinking/);
		await screenshot('effort-high-thinks');

		await chat.locator('#effort').selectOption('off');
		await page.locator('.statusbar-item', { hasText: 'Effort: Off' }).waitFor();
		await send('And without thinking?');
		await lastTurn().locator('.answer', { hasText: 'built-in demo' }).waitFor({ timeout: 120_000 });
		await lastTurnDone();
		assert.equal((await lastTurn().locator('.answer').innerText()).trim(), demoChat.answer);
		assert.ok(await lastTurn().locator('details.thinking').isHidden(), 'no thinking block at Off');
		await screenshot('effort-off-no-thinking');
	});

	it('Bora: Explain Selection in the editor\'s context menu sends the selection to the chat', async () => {
		await page.locator('.tab', { hasText: 'add.js' }).first().click();
		const editor = page.locator('.editor-group-container .monaco-editor .view-lines').first();
		await editor.click();
		await page.keyboard.press('Control+A');
		await editor.click({ button: 'right' });
		await pickMenuItem('Bora: Explain Selection');
		await chat.locator('article.turn', { hasText: 'Explain this code.' }).last().waitFor({ timeout: 60_000 });
		await lastTurnDone();
		assert.match(await lastTurn().innerText(), /add\.js:1-\d+/, 'the selection is attached');
		await screenshot('explain-selection');
	});

	/** The optional question: Enter with nothing typed asks to explain the screenshot; then the answer. */
	const answerAbout = async (colour: 'red' | 'blue') => {
		const box = page.locator('.quick-input-widget', { hasText: 'Ask Bora about' });
		await box.waitFor();
		await box.locator('input').press('Enter');
		await lastTurn().locator('.thumbnail figcaption', { hasText: `${colour}.png` }).waitFor({ timeout: 60_000 });
		await lastTurn().locator('.answer').filter({ hasText: visionAnswers[colour].trim() }).waitFor({ timeout: 180_000 });
		await lastTurnDone();
		assert.equal((await lastTurn().locator('.answer').innerText()).trim(), visionAnswers[colour].trim());
	};
	const explorerRow = async (name: string) => {
		await session!.focusWorkbench();
		await page.keyboard.press('Control+Shift+E');
		const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
		await row.waitFor({ timeout: 30_000 });
		return row;
	};

	it(`Explain Screenshot… on red.png in the Explorer's context menu answers "${visionAnswers.red.trim()}"`, async () => {
		await (await explorerRow('red.png')).click({ button: 'right' });
		await pickMenuItem('Explain Screenshot');
		await answerAbout('red');
		await screenshot('explain-red');
	});

	it(`Explain Screenshot… in the title bar of blue.png's image editor answers "${visionAnswers.blue.trim()}"`, async () => {
		await (await explorerRow('blue.png')).click();
		await page.locator('.tab.active', { hasText: 'blue.png' }).waitFor();
		await page.locator('.editor-actions .action-label[aria-label^="Explain Screenshot"]').first().click();
		await answerAbout('blue');
		await screenshot('explain-blue-from-title');
	});
});
