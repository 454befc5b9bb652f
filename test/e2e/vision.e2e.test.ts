import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { ensureFixtureModels } from '../models/fixtures';
import { ensureVisionFixture } from '../models/vision/visionFixtures';
import { prepareFixtureWorkspace, type VisionWorkspaceFixtures } from './harness/fixtureWorkspace';
import { RunFolder } from './harness/RunFolder';
import { UiSession } from './harness/UiSession';

/**
 * "Explain this screenshot" as a user meets it: the packaged .vsix in a real VS Code with the vision
 * fixture as the chat model (red image → ` red`, blue → ` blue`). The harness's `bora.gpu: off` runs
 * llama.cpp's CPU build; the image question shares the chat model's weights on it.
 */
describe('Bora: explain a screenshot in a real VS Code, driven by Playwright', function () {
	this.timeout(10 * 60_000);
	let folder: RunFolder;
	let session: UiSession | undefined;
	let page: Page;
	let chat: FrameLocator;
	let vision: VisionWorkspaceFixtures;
	const screenshot = async (name: string) => session?.screenshot(name);

	before(async function () {
		if (process.platform !== 'linux') {
			this.skip();
		}
		session = await UiSession.start({
			name: 'vision',
			prepare: async runFolder => {
				// This suite only: the vision fixture is the chat model, with its projector.
				const { modelPath, mmprojPath } = await ensureVisionFixture();
				const prepared = await prepareFixtureWorkspace(runFolder, {}, { vision: true }, { 'bora.chat.modelPath': modelPath, 'bora.chat.mmprojPath': mmprojPath });
				assert.ok(prepared);
				vision = prepared;
				await runFolder.writeWorkspaceFile('images/fake.png', 'this is text with an image name\n');
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

	const runCommand = (title: string) => session!.runCommand(title);

	/** The workbench's own file dialog (a quick input in the web workbench): type the path and accept. */
	const pickFile = async (path: string, title = 'Explain Screenshot') => {
		const input = page.locator('.quick-input-widget input');
		await page.locator('.quick-input-widget', { hasText: title }).waitFor();
		const row = page.locator('.quick-input-list .monaco-list-row', { hasText: path.split('/').pop()! }).first();
		// The dialog writes its starting folder into the box once it has read it, replacing anything
		// typed before; type again until the box keeps the path and lists the file.
		for (let attempt = 1; ; attempt++) {
			await input.fill(path);
			try {
				await row.waitFor({ timeout: 5_000 });
				if (await input.inputValue() === path) {
					break;
				}
			} catch (error) {
				if (attempt >= 5) {
					throw error;
				}
			}
			if (attempt >= 5) {
				throw new Error(`The file dialog did not keep the path ${path}`);
			}
		}
		await input.press('Enter');
	};

	/** The optional question: Enter with nothing typed asks to explain the screenshot. */
	const acceptQuestion = async (question = '') => {
		const box = page.locator('.quick-input-widget', { hasText: 'Ask Bora about' });
		await box.waitFor();
		await box.locator('input').fill(question);
		await box.locator('input').press('Enter');
	};

	const lastTurn = () => chat.locator('article.turn').last();
	/**
	 * Done means the answer or an error is there and the panel takes input again. `aria-busy` alone
	 * is not enough: a state refresh can redraw the new turn before its first chunk arrives.
	 */
	const lastTurnDone = async (expectedAnswer?: string) => {
		const turn = lastTurn();
		if (expectedAnswer !== undefined) {
			await turn.locator('.answer, .turn-status.error').filter({ hasText: expectedAnswer.trim() || /./ }).first().waitFor({ timeout: 180_000 });
		}
		await chat.locator('article.turn:last-child[aria-busy="false"]').waitFor({ timeout: 180_000 });
		await chat.locator('#send:not([disabled])').waitFor();
	};
	const thumbnailLoaded = (turn = lastTurn()) => turn.locator('.thumbnail img').evaluate(async node => {
		const img = node as HTMLImageElement;
		if (!img.complete) {
			await new Promise(resolve => img.addEventListener('load', resolve, { once: true }));
		}
		return img.naturalWidth;
	});

	it('"Bora: Explain Screenshot…" on a red PNG streams " red" into the panel under its thumbnail', async () => {
		await runCommand('Bora: Explain Screenshot');
		await pickFile(vision.images.red);
		await acceptQuestion();
		chat = session!.chat;
		await lastTurn().locator('.user-text', { hasText: 'Explain this screenshot.' }).waitFor({ timeout: 60_000 });
		await lastTurnDone(vision.answers.red);
		assert.equal(await lastTurn().locator('.turn-status.error').count(), 0, await lastTurn().innerText());
		assert.equal((await lastTurn().locator('.answer').innerText()).trim(), vision.answers.red.trim());
		assert.ok(await thumbnailLoaded() > 0, 'the thumbnail loads under the CSP');
		assert.match(await lastTurn().locator('.thumbnail figcaption').innerText(), /^red\.png · 64×64 · \d+ \/ \d+ image tokens$/);
		assert.match(await lastTurn().locator('.thumbnail img').getAttribute('src') ?? '', /\/images\/[0-9a-f]{64}\.png$/, 'the stored copy, not the original');
		await screenshot('command-red');
	});

	it('an image pasted into the chat input becomes a chip, and Enter asks about it: blue answers " blue"', async () => {
		const base64 = (await readFile(vision.images.blue)).toString('base64');
		const input = chat.locator('#input');
		await input.click();
		// What a Ctrl+V of a copied screenshot delivers: a paste event whose clipboardData holds an image file.
		await input.evaluate((node, data) => {
			const bytes = Uint8Array.from(atob(data), char => char.charCodeAt(0));
			const transfer = new DataTransfer();
			transfer.items.add(new File([bytes], 'blue.png', { type: 'image/png' }));
			node.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
		}, base64);
		await chat.locator('#image-chip img').waitFor();
		assert.equal(await chat.locator('#image-chip .name').innerText(), 'blue.png');
		await screenshot('pasted-chip');
		await input.press('Enter');
		await chat.locator('#image-chip').waitFor({ state: 'hidden' });
		await lastTurn().locator('.thumbnail img').waitFor({ timeout: 60_000 });
		await lastTurnDone(vision.answers.blue);
		assert.equal(await lastTurn().locator('.turn-status.error').count(), 0, await lastTurn().innerText());
		assert.equal((await lastTurn().locator('.answer').innerText()).trim(), vision.answers.blue.trim());
		assert.ok(await thumbnailLoaded() > 0);
		await screenshot('paste-blue');
	});

	it('a blank (white) image gets no answer, and the turn shows Bora\'s note saying why and what to try', async () => {
		await runCommand('Bora: Explain Screenshot');
		await pickFile(vision.images.white);
		await acceptQuestion();
		await lastTurn().locator('.thumbnail figcaption', { hasText: 'white.png' }).waitFor({ timeout: 60_000 });
		const note = lastTurn().locator('.turn-notice[role="note"]');
		await note.filter({ hasText: /./ }).waitFor({ timeout: 180_000 });
		await lastTurnDone();
		assert.equal(await lastTurn().locator('.turn-status.error').count(), 0, await lastTurn().innerText());
		assert.match(await note.innerText(), /no answer about this image.*Ask a more specific question, or try another image/s);
		await screenshot('white-notice');
	});

	it('a file that is not an image gets a clear error in the panel, and the chat goes on', async () => {
		await runCommand('Bora: Explain Screenshot');
		await pickFile(join(folder.workspace, 'images', 'fake.png'));
		await acceptQuestion('What is this?');
		await lastTurn().locator('.user-text', { hasText: 'What is this?' }).waitFor({ timeout: 60_000 });
		const error = lastTurn().locator('.turn-status.error');
		await error.waitFor({ timeout: 30_000 });
		assert.match(await error.innerText(), /fake\.png is not an image Bora can read/);
		assert.equal(await chat.locator('#send').isDisabled(), false);
		await screenshot('not-an-image');
	});

	it('the history keeps the image after the original file is deleted', async () => {
		await rm(vision.images.red);
		await chat.locator('#new').click();
		await chat.locator('article.turn').first().waitFor({ state: 'detached' });
		await chat.locator('#history').click();
		await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Explain this screenshot.' }).first().click();
		const first = chat.locator('article.turn').first();
		await first.locator('.thumbnail img').waitFor();
		assert.ok(await thumbnailLoaded(first) > 0, 'the stored copy still loads');
		assert.equal((await first.locator('.answer').innerText()).trim(), vision.answers.red.trim());
		await screenshot('history');
	});

	it("without a projector the answer fails with Pick Projector… and Open Settings; Pick Projector… writes bora.chat.mmprojPath and the image is answered", async () => {
		const { modelPath, mmprojPath } = await ensureVisionFixture();
		// The user's machine settings without the projector (the Remote tab's file in code-server).
		await folder.writeSettings({}, { 'bora.modelPath': (await ensureFixtureModels()).mistral4Fim, 'bora.threads': 2, 'bora.gpu': 'off', 'bora.runtime.keepAliveMinutes': 0, 'bora.chat.modelPath': modelPath });
		// Show Runtime Status lists the projector while the window still has it: wait until it is gone. Its actions come first.
		for (let attempt = 1; ; attempt++) {
			await runCommand('Bora: Show Runtime Status');
			const rows = page.locator('.quick-input-list .monaco-list-row');
			// The command palette's own row stays until the status list replaces it.
			await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Chat' }).first().waitFor();
			assert.match(await rows.first().innerText(), /Open Chat/);
			const projector = await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Vision projector' }).count();
			await page.keyboard.press('Escape');
			if (projector === 0) {
				break;
			}
			assert.ok(attempt < 30, 'the window took up the settings file without the projector');
			await new Promise(resolve => setTimeout(resolve, 500));
		}
		await runCommand('Bora: Explain Screenshot');
		await pickFile(vision.images.blue);
		await acceptQuestion('Which colour is this?');
		chat = session!.chat;
		await lastTurn().locator('.user-text', { hasText: 'Which colour is this?' }).waitFor({ timeout: 60_000 });
		const error = lastTurn().locator('.turn-status.error');
		await error.waitFor({ timeout: 60_000 });
		assert.match(await error.innerText(), /bora\.chat\.mmprojPath/);
		const buttons = error.locator('.error-actions button');
		assert.deepEqual(await buttons.allInnerTexts(), ['Pick Projector…', 'Open Settings']);
		await screenshot('no-projector-buttons');

		// A copy in the workspace: the shared fixture folder lists more models than the dialog shows at once.
		const projectorCopy = join(folder.workspace, 'models', basename(mmprojPath));
		await mkdir(join(folder.workspace, 'models'), { recursive: true });
		await copyFile(mmprojPath, projectorCopy);
		await buttons.filter({ hasText: 'Pick Projector…' }).click();
		await pickFile(projectorCopy, 'vision projector');
		await runCommand('Bora: Explain Screenshot');
		await pickFile(vision.images.blue);
		await acceptQuestion();
		await lastTurn().locator('.user-text', { hasText: 'Explain this screenshot.' }).waitFor({ timeout: 60_000 });
		await lastTurnDone(vision.answers.blue);
		assert.equal(await lastTurn().locator('.turn-status.error').count(), 0, await lastTurn().innerText());
		assert.equal((await lastTurn().locator('.answer').innerText()).trim(), vision.answers.blue.trim());
		await screenshot('projector-picked-answered');
	});
});
