/*
 * Entry point of Bora's runtime process. VS Code starts it over IPC; any other editor can start it
 * with `--stdio` and pass settings on the command line (`--model PATH`, `--threads N`, `--gpu auto|on|off`).
 */
import { createConnection } from 'vscode-languageserver/node';
import { startServer } from './server';
import { createStdioConnection } from './stdioConnection';
import { parseCommandLine } from '../shared/parseCommandLine';

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
startServer(stdio ? createStdioConnection() : createConnection(), parsed.settings);
