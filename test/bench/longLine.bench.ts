/*
 * Event-loop stalls in the runtime on a 10 MiB single-line document: a spawned runtime (stdio, as
 * any editor runs it) on the qwenFim fixture gets the document, then keystrokes as incremental
 * changes, each followed by an inline completion request. A probe loaded into the runtime with
 * `--import` (`perf_hooks.monitorEventLoopDelay`) reports the longest stall of each phase on SIGUSR2.
 * Prints a table and JSON; asserts nothing. `BORA_BENCH_KEYSTROKES=N` types N characters (default 20);
 * `BORA_BENCH_DOCUMENT_CHARS=N` sizes the line (default 10 MiB), e.g. small for a baseline.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DidChangeTextDocumentNotification, DidOpenTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { ensureFixtureModels } from '../models/fixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const documentChars = Number(process.env['BORA_BENCH_DOCUMENT_CHARS'] ?? 10 * 1024 * 1024);
const keystrokes = Number(process.env['BORA_BENCH_KEYSTROKES'] ?? 20);
const uri = 'file:///workspace/bundle.min.js';

const probe = `
import { monitorEventLoopDelay } from 'node:perf_hooks';
const delay = monitorEventLoopDelay({ resolution: 2 });
delay.enable();
process.on('SIGUSR2', () => {
	process.stderr.write('bora-loop-delay ' + JSON.stringify({ maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 }) + '\\n');
	delay.reset();
});
`;

interface PhaseStall {
	readonly maxMs: number;
	readonly p99Ms: number;
}

/** The longest stall since the last call, as the probe in the runtime measured it. */
async function stallSinceLast(server: RuntimeServerProcess): Promise<PhaseStall> {
	const stderr = server.process.stderr!;
	const line = new Promise<PhaseStall>(resolve => {
		const onData = (chunk: Buffer) => {
			const match = /bora-loop-delay (\{.*\})/.exec(String(chunk));
			if (match) {
				stderr.off('data', onData);
				resolve(JSON.parse(match[1]!) as PhaseStall);
			}
		};
		stderr.on('data', onData);
	});
	server.process.kill('SIGUSR2');
	return line;
}

async function main(): Promise<void> {
	const models = await ensureFixtureModels();
	const probePath = join(tmpdir(), `bora-loop-probe-${process.pid}.mjs`);
	await writeFile(probePath, probe);
	process.env['NODE_OPTIONS'] = `${process.env['NODE_OPTIONS'] ?? ''} --import=${probePath}`.trim();
	const server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: models.qwenFim, threads: 2 }, rootUri: 'file:///workspace' });
	try {
		await server.waitForState('ready');
		// Minified-bundle-like: one line, statements without a break.
		const unit = 'a=f(a,1);';
		const text = unit.repeat(Math.ceil(documentChars / unit.length)).slice(0, documentChars);
		// At the line's end, where typing asks for a suggestion (mid-line, the text to the right turns typing requests down).
		let character = text.length;
		await stallSinceLast(server);
		let started = performance.now();
		await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'javascript', version: 1, text } });
		await server.roundTrip();
		const open = { ms: performance.now() - started, ...await stallSinceLast(server) };
		const requestMs: number[] = [];
		let version = 2;
		started = performance.now();
		for (let i = 0; i < keystrokes; i++) {
			const position = { line: 0, character };
			await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
				textDocument: { uri, version: version++ },
				contentChanges: [{ range: { start: position, end: position }, text: 'x' }],
			});
			character++;
			const requestStarted = performance.now();
			await server.complete(uri, { line: 0, character });
			requestMs.push(performance.now() - requestStarted);
		}
		const typing = { ms: performance.now() - started, ...await stallSinceLast(server) };
		const stats = server.completionStats.at(-1);
		const rows = [
			['phase', 'wall ms', 'longest stall ms', 'p99 stall ms'],
			[`open ${(documentChars / 1024 / 1024).toFixed(2)} MiB`, open.ms.toFixed(0), open.maxMs.toFixed(1), open.p99Ms.toFixed(1)],
			[`${keystrokes} keystrokes + requests`, typing.ms.toFixed(0), typing.maxMs.toFixed(1), typing.p99Ms.toFixed(1)],
		];
		for (const row of rows) {
			console.log(row.map(cell => cell.padEnd(28)).join(''));
		}
		const sorted = [...requestMs].sort((a, b) => a - b);
		console.log(JSON.stringify({
			documentChars, keystrokes, open, typing,
			requestP50Ms: sorted[Math.floor(sorted.length / 2)], requestMaxMs: sorted.at(-1),
			lastPromptTokens: stats?.promptTokens,
		}));
	} finally {
		await server.stop();
		await once(server.process, 'exit').catch(() => undefined);
	}
}

await main();
