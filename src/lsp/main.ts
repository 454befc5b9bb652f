/*
 * Entry point of Bora's runtime process. VS Code starts it over IPC; any other editor can start it
 * with `--stdio` and pass settings on the command line (`--model PATH`, `--threads N`, `--gpu auto|on|off`).
 */
import { createConnection } from 'vscode-languageserver/node';
import { startServer } from './server';
import { createStdioConnection } from './stdioConnection';
import { parseCommandLine } from '../shared/parseCommandLine';
import { runtimeThreadPoolSize } from '../shared/runtimeThreadPool';

const parsed = parseCommandLine(process.argv.slice(2));
if ('error' in parsed) {
	process.stderr.write(`bora-runtime: ${parsed.error}\n`);
	process.exit(2);
}
const stdio = process.argv.includes('--stdio');
if (stdio) {
	// stdout carries the protocol: anything a dependency prints must go to stderr instead.
	console.log = console.info = console.error;
}
if (!process.env['UV_THREADPOOL_SIZE']) {
	// Too late to set here (see runtimeProcessEnv); libuv's pool has its default 4 threads.
	process.stderr.write(`bora-runtime: UV_THREADPOOL_SIZE is not set, so libuv's pool has 4 threads; start the runtime with UV_THREADPOOL_SIZE=${runtimeThreadPoolSize} (the VS Code extension does).\n`);
}
startServer(stdio ? createStdioConnection() : createConnection(), parsed.settings);
