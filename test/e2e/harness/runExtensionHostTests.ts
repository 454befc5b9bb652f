import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths';
import { CodeServer } from './CodeServer';
import { prepareFixtureWorkspace } from './fixtureWorkspace';
import { RunFolder } from './RunFolder';
import { ensureE2eTools } from './tools';
import { Workbench } from './Workbench';

export interface ExtensionHostRun {
	readonly exitCode: number;
	readonly log: readonly string[];
	readonly artifacts: string;
}

/**
 * Runs mocha suites inside a real VS Code's extension host, the `extensionTestsPath` contract of
 * @vscode/test-electron, on a fresh code-server and browser that are stopped afterwards.
 */
export async function runExtensionHostTests(runName: string, testsEntry: string, timeoutMs = 8 * 60_000): Promise<ExtensionHostRun> {
	const tools = await ensureE2eTools();
	const folder = await RunFolder.create(runName);
	await prepareFixtureWorkspace(folder);
	const log: string[] = [];
	const logFile = createWriteStream(join(folder.artifacts, 'extension-host.log'));
	let server: CodeServer | undefined;
	let workbench: Workbench | undefined;
	try {
		server = await CodeServer.start({ tools, folder });
		let reportExit!: (code: number) => void;
		const exited = new Promise<number>(resolve => { reportExit = resolve; });
		workbench = await Workbench.open({
			tools,
			folder,
			url: server.workbenchUrl({ extensionDevelopmentPath: repoRoot, extensionTestsPath: testsEntry }),
			onExit: reportExit,
			onLog: line => {
				log.push(line);
				logFile.write(`${line}\n`);
				// VS Code's own chatter ("[AgentHost] …") stays in the log file; mocha's report is shown.
				if (!/^\[[\w.-]+\]/.test(line)) {
					process.stdout.write(`    [extension host] ${line}\n`);
				}
			},
		});
		let timer: NodeJS.Timeout | undefined;
		const timedOut = new Promise<number>((_, reject) => { timer = setTimeout(() => reject(new Error(`extension-host tests did not finish in ${timeoutMs} ms`)), timeoutMs); });
		try {
			const exitCode = await Promise.race([exited, timedOut]);
			return { exitCode, log, artifacts: folder.artifacts };
		} finally {
			clearTimeout(timer);
			await workbench.screenshot(join(folder.artifacts, 'final.png')).catch(() => undefined);
		}
	} finally {
		await workbench?.close();
		await server?.stop();
		logFile.end();
	}
}
