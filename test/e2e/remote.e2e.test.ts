import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { canonicalFim, chatAnswer, ensureFixtureModels } from '../models/fixtures';
import { LlamaServerProcess } from '../support/LlamaServerProcess';
import { ensureLlamaTools } from '../support/llamaTools';
import { prepareFixtureWorkspace } from './harness/fixtureWorkspace';
import type { RunFolder } from './harness/RunFolder';
import { UiSession } from './harness/UiSession';

/** The workbench renders inline suggestions with this class (VS Code 1.139). */
const ghostText = '.ghost-text-decoration';

/**
 * Bora on a remote engine as a user meets it: a real llama-server (the `mistral4Fim` fixture, which
 * fills the canonical FIM case and answers chat, behind `--api-key`) and the packaged .vsix in a real
 * VS Code with `bora.engine` remote. The key goes in through **Bora: Set Remote API Key…**, and no
 * file VS Code or the runtime writes (settings, logs, the output channel's log) may contain it.
 */
describe('Bora on a remote llama-server in a real VS Code, driven by Playwright', function () {
	this.timeout(10 * 60_000);
	/** Random per run, so finding it anywhere on disk can only mean Bora wrote it there. */
	const apiKey = `bora-e2e-${randomBytes(12).toString('hex')}`;
	let server: LlamaServerProcess | undefined;
	let session: UiSession | undefined;
	let folder: RunFolder;
	let page: Page;
	let host: string;
	const screenshot = async (name: string) => session?.screenshot(name);

	before(async () => {
		const tools = ensureLlamaTools();
		const models = await ensureFixtureModels();
		server = await LlamaServerProcess.start({ binary: tools.server, modelPath: models.mistral4Fim, threads: 1, args: ['--api-key', apiKey] });
		host = new URL(server.url).host;
		const url = server.url;
		session = await UiSession.start({
			name: 'remote',
			// The status bar names the server: the cloud while it answers, the error icon while it refuses (no key yet).
			readyIcons: ['cloud', 'error'],
			prepare: async runFolder => {
				// No local model: a suggestion or an answer can only come from the server.
				await prepareFixtureWorkspace(runFolder, {}, {}, { 'bora.engine': 'remote', 'bora.remote.url': url, 'bora.modelPath': '' });
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
		await server?.stop();
	});

	it('the status bar names the remote server, not a local model', async () => {
		const item = page.locator('.statusbar-item', { hasText: `Bora: ${host}` });
		await item.waitFor({ timeout: 120_000 });
		await screenshot('remote-status');
	});

	it("the Models view shows the Engine section with the server's URL and that prompts leave this machine", async () => {
		await session!.runCommand('Bora: Show Models');
		const tree = page.locator('.pane-body .monaco-list[aria-label*="Models"], .pane-body .monaco-list').filter({ hasText: 'Engine (remote)' }).first();
		await tree.waitFor({ timeout: 60_000 });
		await tree.locator('.monaco-list-row', { hasText: 'Privacy' }).filter({ hasText: `leaves this machine for ${host}` }).waitFor();
		await tree.locator('.monaco-list-row', { hasText: 'URL' }).filter({ hasText: host }).waitFor();
		await screenshot('models-engine');
	});

	it('Bora: Set Remote API Key… takes the key in a password box', async () => {
		await session!.runCommand('Bora: Set Remote API Key');
		// The palette's text box turns into the command's password box: the key is never shown as it is typed.
		await page.locator('.quick-input-widget input[type="password"]').waitFor();
		await page.locator('.quick-input-widget', { hasText: 'secret storage' }).waitFor();
		await screenshot('api-key-box');
		await page.keyboard.type(apiKey);
		await page.keyboard.press('Enter');
		await page.locator('.statusbar-item', { hasText: 'remote API key set' }).waitFor({ timeout: 30_000 });
	});

	it('typing `function add(a, b) {` shows the remote model\'s suggestion as ghost text', async () => {
		await session!.focusWorkbench();
		await session!.openFile('add.js');
		const editor = page.locator('.editor-group-container .monaco-editor .view-lines').first();
		await editor.waitFor();
		await editor.click();
		await page.keyboard.type(canonicalFim.prefix);
		const ghost = page.locator(ghostText);
		await ghost.first().waitFor({ timeout: 60_000 });
		const shown = (await ghost.allTextContents()).join('').replace(/\u00a0/g, ' ');
		assert.equal(shown.trim(), canonicalFim.middle.trim());
		// The server answered: the status bar shows it without an error.
		await page.locator('.statusbar-item', { hasText: `Bora: ${host}` }).filter({ has: page.locator('.codicon-cloud') }).waitFor({ timeout: 30_000 });
		await screenshot('ghost-text');
		await page.keyboard.press('Escape');
	});

	it('Bora: Test Remote Engine reports every role: a notification names the server, the log has a line per role', async () => {
		await session!.runCommand('Bora: Test Remote Engine');
		const toast = page.locator('.notification-toast', { hasText: `Bora: ${host}:` });
		await toast.waitFor({ timeout: 120_000 });
		await screenshot('test-remote-engine');
		const log = await boraLog(folder);
		for (let attempt = 0; attempt < 50 && !/[✓✗] Completion: /.test(await readFile(log, 'utf8')); attempt++) {
			await new Promise(resolve => setTimeout(resolve, 100));
		}
		const text = await readFile(log, 'utf8');
		assert.match(text, /✓ Server: /);
		assert.match(text, /✓ Completion: /);
		assert.match(text, /✓ Chat: /);
		await toast.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => undefined);
	});

	it('the chat panel answers from the remote engine', async () => {
		// The refusal before the key was set is still on screen, over the chat in the Secondary Side Bar (VS Code cannot close it for us).
		await session!.runCommand('Notifications: Clear All Notifications');
		await session!.runCommand('Bora: Open Chat');
		const chat = session!.chat;
		const input = chat.locator('#input');
		await input.waitFor({ timeout: 60_000 });
		await input.click();
		await input.fill('Say hello.');
		await input.press('Enter');
		await chat.locator('article.turn:last-child[aria-busy="false"]').waitFor({ timeout: 120_000 });
		const answer = await chat.locator('article.turn:last-child').innerText();
		assert.ok(answer.includes(chatAnswer), `the fixture's answer, got: ${answer}`);
		await screenshot('chat-answer');
	});

	it('a plain http:// URL to another machine shows a warning whose button opens bora.remote.url', async () => {
		await folder.writeSettings({}, { 'bora.engine': 'remote', 'bora.remote.url': 'http://gpu-box.invalid:8000', 'bora.modelPath': '', 'bora.threads': 2, 'bora.gpu': 'off', 'bora.runtime.keepAliveMinutes': 0 });
		const toast = page.locator('.notification-toast', { hasText: 'plain http:// to gpu-box.invalid:8000' });
		await toast.waitFor({ timeout: 60_000 });
		await screenshot('plain-http-warning');
		await toast.locator('.monaco-button', { hasText: 'Open Setting' }).click();
		const editor = page.locator('.settings-editor');
		await editor.waitFor();
		const query = await editor.locator('.settings-header .suggest-input-container .view-lines').first().textContent();
		assert.equal(query?.replace(/\u00a0/g, ' ').trim(), 'bora.remote.url');
	});

	it('the key is in no settings file, log or output channel that VS Code or the runtime wrote', async () => {
		for (const scope of ['User', 'Machine']) {
			const settings = await readFile(join(folder.userData, scope, 'settings.json'), 'utf8');
			assert.ok(!settings.includes(apiKey), `${scope}/settings.json holds no key`);
		}
		// The log files of the output channels (Bora's included) and the runtime's own, everything in the run folder
		// but the browser's profile, whose storage is where VS Code's web workbench keeps secrets, and the run's artifacts.
		const files = [...await filesUnder(folder.root, [folder.browserProfile]), ...await filesUnder(folder.artifacts, [])];
		assert.ok(files.some(file => /Bora\.log$/.test(file)), `Bora's output channel log is among the files read:\n${files.map(file => relative(folder.root, file)).join('\n')}`);
		const holding: string[] = [];
		for (const file of files) {
			if ((await readFile(file)).includes(apiKey)) {
				holding.push(relative(folder.root, file));
			}
		}
		assert.deepEqual(holding, [], 'files that hold the API key');
	});
});

/** The log file of Bora's output channel in the run's newest log folder. */
async function boraLog(folder: RunFolder): Promise<string> {
	const logs = join(folder.userData, 'logs');
	const sessions = (await readdir(logs)).sort().reverse();
	for (const session of sessions) {
		const path = join(logs, session, 'exthost1', 'bora.bora', 'Bora.log');
		if (await stat(path).then(() => true, () => false)) {
			return path;
		}
	}
	throw new Error(`No Bora.log under ${logs}`);
}

/** Every regular file under `root`, minus the folders in `skip`. */
async function filesUnder(root: string, skip: readonly string[]): Promise<string[]> {
	const found: string[] = [];
	for (const entry of await readdir(root, { withFileTypes: true })) {
		const path = join(root, entry.name);
		if (skip.includes(path)) {
			continue;
		}
		if (entry.isDirectory()) {
			found.push(...await filesUnder(path, skip));
		} else if (entry.isFile() && (await stat(path)).size < 64 * 1024 * 1024) {
			found.push(path);
		}
	}
	return found;
}
