import { format } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunFolder } from './RunFolder';
import type { E2eTools } from './tools';

/** Flags for Debian's Chromium on a closed network, as root, headless (see the real-vscode notes). */
const chromiumArgs = [
	'--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
	'--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

export interface WorkbenchOptions {
	readonly tools: E2eTools;
	readonly folder: RunFolder;
	readonly url: string;
	/** Extension-test mode: the workbench calls this with mocha's exit code. */
	readonly onExit?: (code: number) => void;
	/** Extension-test mode: the extension host's console lines. */
	readonly onLog?: (line: string) => void;
}

/** VS Code's web workbench in headless Chromium, driven by Playwright. */
export class Workbench implements AsyncDisposable {
	private constructor(readonly context: BrowserContext, readonly page: Page) { }

	static async open({ tools, folder, url, onExit, onLog }: WorkbenchOptions): Promise<Workbench> {
		const context = await chromium.launchPersistentContext(folder.browserProfile, {
			executablePath: tools.chromium,
			headless: true,
			args: chromiumArgs,
			env: { ...process.env, ...folder.env },
			viewport: { width: 1400, height: 900 },
		});
		try {
			const page = context.pages()[0] ?? await context.newPage();
			// Must exist before the workbench loads: it looks them up when extension tests finish.
			await page.exposeFunction('codeAutomationExit', (code: number) => onExit?.(code));
			await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => onLog?.(format(...(Array.isArray(args) ? args : [args]))));
			await page.goto(url);
			return new Workbench(context, page);
		} catch (error) {
			await context.close();
			throw error;
		}
	}

	/** Another VS Code window: a second tab of the same browser, on `url`. */
	async openPage(url: string): Promise<Page> {
		const page = await this.context.newPage();
		await page.goto(url);
		return page;
	}

	async screenshot(path: string, page: Page = this.page): Promise<void> {
		await page.screenshot({ path });
	}

	async close(): Promise<void> {
		await this.context.close().catch(() => undefined);
	}

	[Symbol.asyncDispose](): Promise<void> {
		return this.close();
	}
}
