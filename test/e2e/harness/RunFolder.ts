import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths';

/**
 * Everything one e2e run writes, under .cache/e2e/r/<name>: VS Code's user data and extensions,
 * XDG folders, TMPDIR and the fixture workspace; its artifacts (logs, screenshots) go to
 * .cache/e2e/artifacts/<name>, one place to look at what a user saw in every run. Names are short
 * because Unix socket paths under TMPDIR must stay below 108 bytes.
 */
export class RunFolder {
	readonly root: string;
	readonly userData: string;
	readonly extensions: string;
	readonly workspace: string;
	readonly artifacts: string;
	readonly tmp: string;
	readonly browserProfile: string;
	/** `BORA_RUNTIME_DIR`: the shared runtime's socket folder, so a run never meets the user's own runtime (or another run's). */
	readonly runtimeDir: string;

	private constructor(readonly name: string) {
		this.root = join(repoRoot, '.cache', 'e2e', 'r', name);
		this.userData = join(this.root, 'ud');
		this.extensions = join(this.root, 'ext');
		this.workspace = join(this.root, 'ws');
		this.artifacts = join(repoRoot, '.cache', 'e2e', 'artifacts', name);
		this.tmp = join(this.root, 't');
		this.browserProfile = join(this.root, 'chr');
		this.runtimeDir = join(this.root, 'rt');
	}

	/** A fresh folder: whatever an earlier run with the same name left is removed first. */
	static async create(name: string): Promise<RunFolder> {
		const folder = new RunFolder(name);
		await rm(folder.root, { recursive: true, force: true });
		await rm(folder.artifacts, { recursive: true, force: true });
		for (const dir of [folder.userData, folder.extensions, folder.workspace, folder.artifacts, folder.tmp, folder.browserProfile, ...['config', 'data', 'cache'].map(d => join(folder.root, 'xdg', d))]) {
			await mkdir(dir, { recursive: true });
		}
		await mkdir(folder.runtimeDir, { mode: 0o700 });
		return folder;
	}

	/** Environment that keeps VS Code, code-server and Chromium out of $HOME and /tmp. */
	get env(): NodeJS.ProcessEnv {
		return {
			XDG_CONFIG_HOME: join(this.root, 'xdg', 'config'),
			XDG_DATA_HOME: join(this.root, 'xdg', 'data'),
			XDG_CACHE_HOME: join(this.root, 'xdg', 'cache'),
			TMPDIR: this.tmp,
			NODE_COMPILE_CACHE: join(this.root, 'xdg', 'cache', 'node'),
			BORA_RUNTIME_DIR: this.runtimeDir,
		};
	}

	/**
	 * VS Code settings for the run; autosave off so typing never rewrites fixture files. Bora's
	 * machine-scoped settings (model path, threads, GPU) only count in the remote machine's settings
	 * file when the window is remote, as it is in code-server, so `machine` goes there.
	 */
	async writeSettings(user: Record<string, unknown>, machine: Record<string, unknown> = {}): Promise<void> {
		const write = async (scope: 'User' | 'Machine', values: Record<string, unknown>) => {
			await mkdir(join(this.userData, scope), { recursive: true });
			await writeFile(join(this.userData, scope, 'settings.json'), JSON.stringify(values, null, '\t'));
		};
		await write('User', {
			'files.autoSave': 'off',
			'workbench.startupEditor': 'none',
			'workbench.tips.enabled': false,
			'telemetry.telemetryLevel': 'off',
			'update.mode': 'none',
			'extensions.autoUpdate': false,
			'extensions.autoCheckUpdates': false,
			'editor.inlineSuggest.enabled': true,
			// Run folders live inside the repository; the prompt to open it would cover the editor.
			'git.openRepositoryInParentFolders': 'never',
			...user,
		});
		// Bora's walkthrough opens on first activation unless this (machine-scoped) setting is off; the
		// suites that look for it turn it on.
		await write('Machine', { 'workbench.welcomePage.walkthroughs.openOnInstall': false, ...machine });
	}

	async writeWorkspaceFile(relativePath: string, text: string | Uint8Array): Promise<string> {
		const path = join(this.workspace, relativePath);
		await mkdir(join(path, '..'), { recursive: true });
		await writeFile(path, text);
		return path;
	}
}
