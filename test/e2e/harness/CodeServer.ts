import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { RunFolder } from './RunFolder';
import type { E2eTools } from './tools';

export interface CodeServerOptions {
	readonly tools: E2eTools;
	readonly folder: RunFolder;
	/** Extensions to install before start (.vsix paths). Defaults to none. */
	readonly installExtensions?: readonly string[];
	/** Makes the workbench accept extension development and test paths in its URL. Defaults to `true`. */
	readonly testDriver?: boolean;
	/** Fixed port; defaults to a free one. */
	readonly port?: number;
}

/**
 * A real VS Code (code-server) on 127.0.0.1 in its own process group, so stopping it also stops
 * the extension hosts and runtimes it started. Its output goes to the run's artifacts.
 */
export class CodeServer implements AsyncDisposable {
	private constructor(private readonly child: ChildProcess, readonly port: number, private readonly folder: RunFolder) { }

	static async start({ tools, folder, installExtensions = [], testDriver = true, port }: CodeServerOptions): Promise<CodeServer> {
		const configFile = join(folder.root, 'code-server.yaml');
		await writeFile(configFile, 'auth: none\ncert: false\n');
		const common = [
			'--user-data-dir', folder.userData, '--extensions-dir', folder.extensions, '--config', configFile,
			'--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
		];
		const env = { ...process.env, ...folder.env };
		for (const vsix of installExtensions) {
			await run(tools.node24, [tools.codeServer, ...common, '--install-extension', vsix, '--force'], env, join(folder.artifacts, 'install-extension.log'));
		}
		const listenPort = port ?? await freePort();
		const args = [tools.codeServer, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${listenPort}`, '--ignore-last-opened'];
		if (testDriver) {
			args.push('--vscode-option', 'enable-smoke-test-driver');
		}
		const log = createWriteStream(join(folder.artifacts, 'code-server.log'));
		// detached: a new process group (setsid), so one kill reaches every process it starts.
		const child = spawn(tools.node24, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout!.pipe(log);
		child.stderr!.pipe(log);
		const server = new CodeServer(child, listenPort, folder);
		try {
			await server.waitUntilHealthy();
		} catch (error) {
			await server.stop();
			throw error;
		}
		return server;
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/**
	 * The workbench URL for a folder (the run's workspace unless `workspace` names another), optionally
	 * in extension-test mode (see real-vscode notes). Each URL opened in a browser page is one VS Code
	 * window with its own extension host. `openFile` (an absolute path) opens that file in the window.
	 */
	workbenchUrl(options: { extensionDevelopmentPath?: string; extensionTestsPath?: string; workspace?: string; openFile?: string } = {}): string {
		const params = new URLSearchParams({ folder: options.workspace ?? this.folder.workspace });
		const payload: [string, string][] = [];
		const remote = (path: string) => `vscode-remote://127.0.0.1:${this.port}${path}`;
		if (options.extensionDevelopmentPath) {
			payload.push(['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)]);
		}
		if (options.extensionTestsPath) {
			payload.push(['extensionTestsPath', remote(options.extensionTestsPath)]);
		}
		if (options.openFile) {
			payload.push(['openFile', remote(options.openFile)]);
		}
		if (payload.length > 0) {
			params.set('payload', JSON.stringify(payload));
		}
		return `${this.url}/?${params.toString()}`;
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null || this.child.signalCode !== null) {
			return;
		}
		const exited = once(this.child, 'exit');
		killGroup(this.child.pid!, 'SIGTERM');
		const timer = setTimeout(() => killGroup(this.child.pid!, 'SIGKILL'), 5_000);
		await exited;
		clearTimeout(timer);
		// Extension hosts and runtimes may outlive the server process itself.
		killGroup(this.child.pid!, 'SIGKILL');
	}

	[Symbol.asyncDispose](): Promise<void> {
		return this.stop();
	}

	private async waitUntilHealthy(timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		const exited = once(this.child, 'exit').then(([code]) => {
			throw new Error(`code-server exited with ${code}; see ${join(this.folder.artifacts, 'code-server.log')}`);
		});
		exited.catch(() => undefined);
		while (Date.now() < deadline) {
			const healthy = await Promise.race([
				fetch(`${this.url}/healthz`).then(response => response.ok, () => false),
				exited,
			]);
			if (healthy) {
				return;
			}
			await new Promise(resolve => setTimeout(resolve, 200));
		}
		throw new Error(`code-server did not answer on ${this.url} within ${timeoutMs} ms`);
	}
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// The group is already gone.
	}
}

async function freePort(): Promise<number> {
	const server = createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address() as { port: number };
	server.close();
	await once(server, 'close');
	return port;
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
	const log = createWriteStream(logFile, { flags: 'a' });
	const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout!.pipe(log);
	child.stderr!.pipe(log);
	const [code] = await once(child, 'exit');
	if (code !== 0) {
		throw new Error(`${args.join(' ')} failed with ${code}; see ${logFile}`);
	}
}
