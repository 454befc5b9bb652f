/*
 * Entry point of Bora's runtime process. VS Code starts it over IPC (a runtime per window) or with
 * `--listen` (the shared runtime every window connects to); any other editor can start it with
 * `--stdio` (a runtime of its own) or `--connect` (a bridge to the shared one) and pass settings on
 * the command line (`--model PATH`, `--threads N`, `--gpu auto|on|off`).
 */
import { resolve } from 'node:path';
import { createConnection } from 'vscode-languageserver/node';
import { connectBridge } from './connectBridge';
import { listenShared } from './listenShared';
import { startServer } from './server';
import { createStdioConnection } from './stdioConnection';
import { parseCommandLine } from '../shared/parseCommandLine';
import { runtimeThreadPoolSize } from '../shared/runtimeThreadPool';

const argv = process.argv.slice(2);
const parsed = parseCommandLine(argv);
if ('error' in parsed) {
	process.stderr.write(`bora-runtime: ${parsed.error}\n`);
	process.exit(2);
}
const serverModulePath = resolve(process.argv[1]!);
const stdio = argv.includes('--stdio') || argv.includes('--connect');
if (stdio) {
	// stdout carries the protocol: anything a dependency prints must go to stderr instead.
	console.log = console.info = console.error;
}
if (argv.includes('--connect')) {
	// Only bytes pass here; the runtime it reaches checks the thread pool.
	void connectBridge({ serverModulePath, args: argv.filter(arg => arg !== '--connect' && arg !== '--stdio') });
} else {
	if (!process.env['UV_THREADPOOL_SIZE']) {
		// Too late to set here (see runtimeProcessEnv); libuv's pool has its default 4 threads.
		process.stderr.write(`bora-runtime: UV_THREADPOOL_SIZE is not set, so libuv's pool has 4 threads; start the runtime with UV_THREADPOOL_SIZE=${runtimeThreadPoolSize} (the VS Code extension does).\n`);
	}
	if (argv.includes('--listen')) {
		listenShared({ serverModulePath, commandLineSettings: parsed.settings }).catch((error: unknown) => {
			process.stderr.write(`bora-runtime: the shared runtime could not listen: ${error instanceof Error ? error.message : String(error)}\n`);
			process.exit(1);
		});
	} else {
		startServer(stdio ? createStdioConnection() : createConnection(), parsed.settings);
	}
}
