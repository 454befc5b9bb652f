import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { CodeServer } from './CodeServer';
import { packageVsix } from './packageVsix';
import { RunFolder } from './RunFolder';
import { ensureE2eTools } from './tools';
import { Workbench } from './Workbench';

export interface UiSessionOptions {
	/** Names the run folder (.cache/e2e/r/<name>) and prefixes the screenshots. */
	readonly name: string;
	/** Fills the workspace and settings before VS Code starts. */
	readonly prepare: (folder: RunFolder) => Promise<void>;
	/** Waits until Bora's status bar item shows one of these codicons. Defaults to `['sparkle']` (ready). */
	readonly readyIcons?: readonly string[];
	/** A workspace file (relative path) the window opens with. Defaults to none. */
	readonly openFile?: string;
}

/**
 * One Playwright-driven VS Code for a UI suite: the packaged .vsix installed into a fresh
 * code-server, the workbench open on the run's workspace, and Bora ready. `close()` stops it all.
 */
export class UiSession {
	private shots = 0;

	private constructor(readonly name: string, readonly folder: RunFolder, private readonly server: CodeServer, private readonly workbench: Workbench) { }

	static async start({ name, prepare, readyIcons = ['sparkle'], openFile }: UiSessionOptions): Promise<UiSession> {
		const [tools, vsix, folder] = await Promise.all([ensureE2eTools(), packageVsix(), RunFolder.create(name)]);
		await prepare(folder);
		const server = await CodeServer.start({ tools, folder, installExtensions: [vsix], testDriver: false });
		let workbench: Workbench | undefined;
		try {
			workbench = await Workbench.open({ tools, folder, url: server.workbenchUrl(openFile ? { openFile: join(folder.workspace, openFile) } : {}) });
			const session = new UiSession(name, folder, server, workbench);
			await waitForBora(workbench.page, readyIcons);
			console.log(`    artifacts: ${folder.artifacts}`);
			return session;
		} catch (error) {
			await workbench?.close();
			await server.stop();
			throw error;
		}
	}

	get page(): Page {
		return this.workbench.page;
	}

	/**
	 * Opens a second VS Code window on `workspace` (a folder the caller filled) in another tab of the
	 * same browser and code-server, so it gets its own extension host, and waits until Bora is ready
	 * there too.
	 */
	async openWindow(workspace: string, readyIcons: readonly string[] = ['sparkle']): Promise<Page> {
		const page = await this.workbench.openPage(this.server.workbenchUrl({ workspace }));
		await waitForBora(page, readyIcons);
		return page;
	}

	/**
	 * The chat panel's document, inside the web workbench's two webview iframes. The host frame is
	 * the one of a webview view: a walkthrough's markdown is a webview too.
	 */
	get chat(): FrameLocator {
		return this.page.frameLocator('iframe.webview.ready[src*="purpose=webviewView"]').frameLocator('iframe#active-frame');
	}

	/** Numbered screenshots in the run's artifacts, in the order they were taken; of `page` when given (another window). */
	async screenshot(label: string, page?: Page): Promise<void> {
		await this.workbench.screenshot(join(this.folder.artifacts, `${String(++this.shots).padStart(2, '0')}-${this.name}-${label.replace(/\W+/g, '-')}.png`), page);
	}

	/** For `afterEach`: a screenshot named after `test` when it failed, so the artifacts show what the user saw. */
	async screenshotIfFailed(test: Mocha.Test | undefined, page?: Page, suffix = ''): Promise<void> {
		if (test?.state === 'failed') {
			await this.screenshot(`failed-${test.title}${suffix}`, page);
		}
	}

	/** Keys typed while a webview has focus stay in its iframe; give the workbench focus first. */
	async focusWorkbench(page: Page = this.page): Promise<void> {
		await page.locator('.part.editor').click({ position: { x: 300, y: 300 } });
	}

	/** Runs a command from the Command Palette by its title, in `page` when given (another window). */
	async runCommand(title: string, page: Page = this.page): Promise<void> {
		await this.focusWorkbench(page);
		await page.keyboard.press('F1');
		await page.locator('.quick-input-widget input').waitFor();
		await page.keyboard.type(title);
		await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
		await page.keyboard.press('Enter');
	}

	/** Opens a workspace file through Quick Open (the workbench must have focus), in `page` when given (another window). */
	async openFile(fileName: string, page: Page = this.page): Promise<void> {
		await page.keyboard.press('Control+P');
		await page.keyboard.type(fileName);
		await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor();
		await page.keyboard.press('Enter');
		await page.locator('.tab.active', { hasText: fileName }).waitFor();
	}

	async close(): Promise<void> {
		await this.workbench.close();
		await this.server.stop();
	}
}

/** Waits for the workbench and then for Bora's status bar item with one of `icons`. */
async function waitForBora(page: Page, icons: readonly string[]): Promise<void> {
	await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
	const selector = icons.map(icon => `.codicon-${icon}`).join(', ');
	await page.locator('.statusbar-item', { hasText: 'Bora:' }).filter({ has: page.locator(selector) }).first().waitFor({ timeout: 120_000 });
}
