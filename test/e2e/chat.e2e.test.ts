import assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { ensureFixtureModels, fixtureDisplayNames } from '../models/fixtures';
import { prepareFixtureWorkspace } from './harness/fixtureWorkspace';
import { RunFolder } from './harness/RunFolder';
import { UiSession } from './harness/UiSession';

/**
 * The chat panel as a user meets it. The chat fixtures (`mistral4Chat`, `mistral4ChatXss`) come with
 * the runtime's chat; until they exist the cases that need a real answer are skipped, and the panel
 * is checked on the completion model, where it must explain why it cannot answer.
 */
describe('Bora chat panel in a real VS Code, driven by Playwright', function () {
	this.timeout(10 * 60_000);
	let folder: RunFolder;
	let session: UiSession | undefined;
	let page: Page;
	let chat: FrameLocator;
	let models: Record<string, string | undefined>;
	const screenshot = async (name: string) => session?.screenshot(name);
	const chatModel = () => models['mistral4Chat'];

	before(async () => {
		models = await ensureFixtureModels() as Record<string, string | undefined>;
		session = await UiSession.start({
			name: 'chat',
			readyIcons: ['sparkle', 'warning'],
			prepare: async runFolder => {
				await prepareFixtureWorkspace(runFolder);
				await runFolder.writeWorkspaceFile('add.js', 'function add(a, b) {\n}\n');
				if (chatModel()) {
					await runFolder.writeSettings({}, { 'bora.modelPath': models['mistral4Fim'], 'bora.chat.modelPath': chatModel(), 'bora.threads': 2, 'bora.gpu': 'off' });
				}
			},
		});
		folder = session.folder;
		page = session.page;
	});

	afterEach(async function () {
		await session?.screenshotIfFailed(this.currentTest);
	});

	after(async () => {
		await session?.close();
	});

	const focusWorkbench = () => session!.focusWorkbench();
	const runCommand = (title: string) => session!.runCommand(title);

	const send = async (text: string) => {
		const input = chat.locator('#input');
		await input.click();
		await input.fill(text);
		await input.press('Enter');
		await chat.locator('article.turn', { hasText: text }).last().waitFor();
	};
	/** The last turn is final: answered, failed or stopped. */
	const lastTurnDone = () => chat.locator('article.turn:last-child[aria-busy="false"]').waitFor({ timeout: 120_000 }).then(() => chat.locator('#send:not([disabled])').waitFor());

	it('the activity bar has Bora, and Open Chat shows the panel with the effort control and the input', async () => {
		assert.ok(await page.locator('.activitybar .action-item a[aria-label^="Bora"]').count() > 0, 'the Bora activity bar entry');
		await runCommand('Bora: Open Chat');
		// Webviews are two nested iframes in the web workbench: the host frame, then the content frame.
		chat = session!.chat;
		await chat.locator('#input').waitFor({ timeout: 60_000 });
		assert.equal(await chat.locator('#input').getAttribute('aria-label'), 'Message to Bora');
		assert.ok(await chat.locator('#effort').count() === 1);
		await screenshot('open');
	});

	it('the page runs only the nonce\'d bundle under a strict CSP', async () => {
		const csp = await chat.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content') ?? '';
		console.log(`    CSP: ${csp}`);
		assert.match(csp, /^default-src 'none'; /);
		assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{24}';/);
		assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
		// VS Code adds its own host script to the content frame; ours is the one bundle with the nonce.
		assert.equal(await chat.locator('script[src$="/dist/webview/chat.js"]').count(), 1);
		assert.equal(await chat.locator('script[nonce]').count(), 1);
	});

	it('the header select, the status bar item and the setting stay in sync (or all say why effort is unavailable)', async () => {
		const select = chat.locator('#effort');
		const item = page.locator('.statusbar-item', { hasText: 'Effort:' });
		await item.waitFor();
		if (await select.isDisabled()) {
			assert.match(await select.getAttribute('title') ?? '', /^Reasoning effort unavailable: .+/);
			assert.match(await item.innerText(), /Effort: n\/a/);
			return;
		}
		await select.selectOption('high');
		await page.locator('.statusbar-item', { hasText: 'Effort: High' }).waitFor();
		await runCommand('Bora: Set Reasoning Effort');
		await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Low' }).first().click();
		await page.locator('.statusbar-item', { hasText: 'Effort: Low' }).waitFor();
		assert.equal(await select.inputValue(), 'low');
		await select.selectOption('high');
		await page.locator('.statusbar-item', { hasText: 'Effort: High' }).waitFor();
		await screenshot('effort-high');
	});

	it('a message without a chat model gets a clear error in the panel and keeps the message', async function () {
		if (chatModel()) {
			this.skip();
		}
		await send('How do I add two numbers?');
		await chat.locator('.turn .user-text', { hasText: 'How do I add two numbers?' }).waitFor();
		const error = chat.locator('.turn .turn-status.error');
		await error.waitFor({ timeout: 60_000 });
		assert.ok((await error.innerText()).length > 20, 'an explanation, not a bare code');
		assert.equal(await chat.locator('#send').isDisabled(), false, 'the panel is ready for the next message');
		await screenshot('error');
	});

	it('streams an answer with a thinking block and a meter on High, and the thinking collapses when the answer starts', async function () {
		if (!chatModel()) {
			this.skip();
		}
		await send('Write an add function in JavaScript.');
		const thinking = chat.locator('.turn details.thinking').last();
		await thinking.locator('summary').waitFor({ timeout: 60_000 });
		assert.match(await thinking.locator('summary').innerText(), /^Thinking · \d+( \/ \d+)? tokens$/);
		await chat.locator('.turn .answer pre code').last().waitFor({ timeout: 120_000 });
		await lastTurnDone();
		assert.equal(await thinking.evaluate(node => (node as HTMLDetailsElement).open), false, 'collapsed once the answer started');
		await thinking.locator('summary').click();
		assert.equal(await thinking.evaluate(node => (node as HTMLDetailsElement).open), true, 'can be expanded again');
		await screenshot('answer');
	});

	it('Insert puts the code block at the cursor in the editor', async function () {
		if (!chatModel()) {
			this.skip();
		}
		await focusWorkbench();
		await session!.openFile('add.js');
		const code = await chat.locator('.turn .answer pre code').last().innerText();
		await chat.locator('.code-block button[data-action="insert"]').last().click();
		const firstLine = code.split('\n')[0]!.trim();
		await page.locator('.editor-group-container .monaco-editor .view-lines', { hasText: firstLine }).first().waitFor({ timeout: 10_000 });
		await screenshot('inserted');
	});

	it('Apply… with no selection does not offer to replace the file: the one-line answer goes in at the cursor', async function () {
		if (!chatModel()) {
			this.skip();
		}
		await focusWorkbench();
		await session!.openFile('add.js');
		// The cursor at the end of the file, nothing selected.
		await page.keyboard.press('Control+End');
		const code = (await chat.locator('.turn .answer pre code').last().innerText()).trim();
		await chat.locator('.code-block button[data-action="apply"]').last().click();
		const dialog = page.locator('.monaco-dialog-box');
		await dialog.waitFor({ timeout: 30_000 });
		const question = await dialog.textContent() ?? '';
		console.log(`    Apply asks: ${question}`);
		assert.doesNotMatch(question, /all of add\.js|whole file/i, 'never offers to replace the whole file');
		assert.match(question, /Insert Bora's code at the cursor in add\.js \(line \d+\)\?/);
		await screenshot('apply-no-selection');
		await dialog.getByRole('button', { name: 'Insert' }).click();
		await dialog.waitFor({ state: 'hidden' });
		const lines = page.locator('.editor-group-container .monaco-editor .view-lines', { hasText: code }).first();
		await lines.waitFor({ timeout: 10_000 });
		// Monaco draws spaces as no-break spaces, which \s matches.
		assert.match(await lines.innerText(), /function\s+add\(a,\s*b\)/, 'the rest of the file is kept');
		await screenshot('applied-at-cursor');
	});

	it('the current-file chip shows left-out context dimmed with a closed eye, not struck through, and the @ picker replaces the typed @', async () => {
		await focusWorkbench();
		await session!.openFile('add.js');
		const chip = chat.locator('.chip.context', { hasText: 'File add.js' });
		await chip.waitFor({ timeout: 30_000 });
		const look = () => chip.evaluate(node => {
			const style = getComputedStyle(node);
			return { decoration: style.textDecorationLine, fontStyle: style.fontStyle, pressed: node.getAttribute('aria-pressed'), title: node.getAttribute('title'), eye: node.querySelector('svg')?.getAttribute('class') };
		});
		assert.deepEqual(await look(), { decoration: 'none', fontStyle: 'italic', pressed: 'false', title: 'Not included — click to include', eye: 'chip-icon eye-closed' });
		await screenshot('file-chip-left-out');
		await chip.click();
		assert.deepEqual(await look(), { decoration: 'none', fontStyle: 'normal', pressed: 'true', title: 'Included — click to leave it out', eye: 'chip-icon eye' });
		await chip.click();

		const input = chat.locator('#input');
		await input.click();
		await input.fill('');
		await input.pressSequentially('Explain @');
		await page.locator('.quick-input-widget', { hasText: 'Mention a file in the chat' }).waitFor({ timeout: 30_000 });
		await page.keyboard.type('add.js');
		await page.locator('.quick-input-list .monaco-list-row', { hasText: 'add.js' }).first().waitFor();
		await page.keyboard.press('Enter');
		await chat.locator('.chip.mention', { hasText: '@add.js' }).waitFor();
		assert.equal(await input.inputValue(), 'Explain @add.js ', 'the typed @ became the reference');
		await screenshot('mention-picked');
		await chat.locator('.chip.mention', { hasText: '@add.js' }).click();
		assert.equal(await input.inputValue(), 'Explain ', 'removing the chip removes its reference');
		await input.fill('');
	});

	it('Stop ends a streaming answer at once and keeps what came', async function () {
		if (!chatModel()) {
			this.skip();
		}
		await send('Write an add function in JavaScript.');
		await chat.locator('#stop').waitFor({ state: 'visible' });
		await chat.locator('#stop').click();
		await chat.locator('.turn .turn-status.stopped').last().waitFor({ timeout: 5_000 });
		assert.equal(await chat.locator('#stop').isVisible(), false);
		await screenshot('stopped');
	});

	it('an answer full of HTML and javascript: links renders inert', async function () {
		const xss = models['mistral4ChatXss'];
		if (!xss) {
			this.skip();
		}
		await folder.writeSettings({}, { 'bora.modelPath': models['mistral4Fim'], 'bora.chat.modelPath': xss, 'bora.threads': 2, 'bora.gpu': 'off' });
		// VS Code reads the settings file asynchronously: ask only once the panel names the new chat model.
		await chat.locator(`#effort[title*="${fixtureDisplayNames.mistral4ChatXss}"]`).waitFor({ timeout: 60_000 });
		await chat.locator('#new').click();
		const scriptsBefore = await chat.locator('script').count();
		await send('Show me some HTML.');
		await chat.locator('article.turn[aria-busy="false"] .answer pre code', { hasText: 'let y = 2;' }).waitFor({ timeout: 120_000 });
		const answer = chat.locator('.turn .answer').last();
		assert.ok((await answer.innerText()).length > 0);
		assert.equal(await chat.locator('.answer img, .answer [onerror], .answer [onclick]').count(), 0);
		assert.equal(await chat.locator('.answer script').count(), 0);
		assert.equal(await chat.locator('a[href^="javascript" i], a[href^="data:" i], a[href^="vbscript" i]').count(), 0);
		assert.equal(await chat.locator('script').count(), scriptsBefore, 'no script element from the answer');
		assert.match(await answer.innerText(), /<img src=x onerror=alert\(1\)>/, 'the payload shows as text');
		await screenshot('xss-inert');
	});
});
