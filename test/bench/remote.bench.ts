/*
 * The remote engine on the scripted editing session: Bora's requests to llama-server's
 * `/v1/completions` (its stable-first FIM layout as token ids, `cache_prompt`) against llama.vscode's
 * `/infill` layout on the same llama-server (one slot, `--cache-reuse 256`), in blocks (one cursor
 * place each) that alternate which goes first. Per request kind: p50 latency and the prompt tokens
 * the server evaluated (its own `timings.prompt_n`), with the ratios. Both ask for 16 tokens greedily.
 * Prints a table and JSON; asserts nothing. Skips when llama-server is not built.
 * `BORA_BENCH_QUICK=1` types fewer characters.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { completionWindow, lineWindow, RemoteEngine, type RuntimeSettings } from '../../src/runtime';
import { ensureBenchModel } from '../models/benchModels';
import { builtLlamaTools, buildLlamaToolsCommand } from '../support/llamaTools';
import { LlamaServerProcess } from '../support/LlamaServerProcess';
import { llamaVscodeInfill } from '../support/llamaVscodeInfill';
import { scriptedSession, type RequestKind, type ScriptedStep } from './editingSession';
import { mean, quantile } from './statistics';

const maxTokens = 16;
const quick = process.env['BORA_BENCH_QUICK'] === '1';
/** Each round is the session on the file rotated by a third, so its first request finds nothing cached. */
const rounds = quick ? 1 : 2;


interface Sample {
	readonly kind: RequestKind;
	readonly ms: number;
	/** The server's `timings.prompt_n`: prompt tokens it evaluated for this request (the rest came from its cache). */
	readonly evaluated: number;
}

const sessionSteps = () => scriptedSession(rounds, quick);

const tools = builtLlamaTools();
if (!tools) {
	console.log(`remote.bench skipped: llama-server is not built; run \`${buildLlamaToolsCommand}\`.`);
} else {
	const modelPath = await ensureBenchModel('benchDense');
	const threads = Math.max(1, availableParallelism());
	const server = await LlamaServerProcess.start({ binary: tools.server, modelPath, threads: Math.max(1, threads - 1), batchThreads: threads, contextSize: 4096, cacheReuse: 256 });
	// A generous budget: this measures latency on a shared machine, not the timeout.
	const engine = new RemoteEngine({ measureForecast: false, completionMaxTokens: maxTokens, completionBudget: { answerMs: 120_000, stallMs: 120_000 } });
	const settings = { engine: 'remote', remoteUrl: server.url, remoteSendExtraContext: true } as Partial<RuntimeSettings> as RuntimeSettings;
	engine.configure(settings);
	const samples = { bora: [] as Sample[], vscode: [] as Sample[] };
	try {
		const never = new AbortController().signal;
		const complete = (prefix: string, suffix: string) => engine.complete({ prefix, suffix, fileName: 'source.js', extraContext: [], candidates: 1, signal: never, alternativesSignal: never, onText: () => undefined });
		// Warm-up outside the measurement (and the probe), on text the session never shows.
		await complete('let warmUp = ', '');
		await server.post('/infill', llamaVscodeInfill({ text: 'const warm = ;', offset: 13, maxTokens }));
		const steps = sessionSteps();
		const blocks = new Map<string, ScriptedStep[]>();
		for (const step of steps) {
			blocks.set(step.block, [...(blocks.get(step.block) ?? []), step]);
		}
		let blockIndex = 0;
		for (const block of blocks.values()) {
			const runBora = async () => {
				for (const step of block) {
					// What the completion service sends: the aligned line window around the cursor.
					const { prefix, suffix } = lineWindow(step.text.slice(0, step.offset), step.text.slice(step.offset), completionWindow);
					const started = performance.now();
					const { stats } = await complete(prefix, suffix);
					samples.bora.push({ kind: step.request, ms: performance.now() - started, evaluated: stats.promptTokens - stats.cachedPromptTokens });
				}
			};
			const runVscode = async () => {
				for (const step of block) {
					const started = performance.now();
					const answer = await server.post<{ timings?: { prompt_n?: number } }>('/infill', llamaVscodeInfill({ text: step.text, offset: step.offset, maxTokens }));
					samples.vscode.push({ kind: step.request, ms: performance.now() - started, evaluated: answer.timings?.prompt_n ?? NaN });
				}
			};
			// Alternate which goes first; each block starts at a new cursor place, cold for both.
			if (blockIndex++ % 2 === 0) {
				await runVscode();
				await runBora();
			} else {
				await runBora();
				await runVscode();
			}
			process.stderr.write(`remote: block ${blockIndex}/${blocks.size} done\n`);
		}
	} finally {
		engine.dispose();
		await server.stop();
	}

	const of = (list: readonly Sample[], kinds: readonly RequestKind[]) => list.filter(sample => kinds.includes(sample.kind));
	const row = (label: string, kinds: readonly RequestKind[]) => {
		const bora = of(samples.bora, kinds);
		const vscode = of(samples.vscode, kinds);
		const p50 = (list: readonly Sample[]) => quantile(list.map(sample => sample.ms), 0.5);
		const evaluated = (list: readonly Sample[]) => mean(list.map(sample => sample.evaluated));
		return {
			label, requests: bora.length,
			boraP50Ms: p50(bora), vscodeP50Ms: p50(vscode), latencyRatio: p50(bora) / p50(vscode),
			boraPromptN: evaluated(bora), vscodePromptN: evaluated(vscode), promptNRatio: evaluated(bora) / evaluated(vscode),
		};
	};
	const rows = [row('keystroke (typed character)', ['type']), row('after an accepted suggestion', ['accept']), row('typing (typed + accepted)', ['type', 'accept']), row('cold (first in a file, after a jump)', ['first', 'jump'])];
	console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical CPUs, load average ${loadavg().map(x => x.toFixed(2)).join(' ')}; llama-server from node-llama-cpp ${tools.version}, benchDense, one slot, --cache-reuse 256`);
	console.log(`session: ${rounds} round(s), ${samples.bora.length} requests each side, ${maxTokens} tokens max, greedy`);
	console.log('| requests | n | Bora /v1/completions p50 | llama.vscode /infill p50 | Bora / llama.vscode | prompt_n Bora | prompt_n llama.vscode | Bora / llama.vscode |');
	console.log('|---|---|---|---|---|---|---|---|');
	for (const r of rows) {
		console.log(`| ${r.label} | ${r.requests} | ${r.boraP50Ms.toFixed(1)} ms | ${r.vscodeP50Ms.toFixed(1)} ms | ${r.latencyRatio.toFixed(2)}× | ${r.boraPromptN.toFixed(1)} | ${r.vscodePromptN.toFixed(1)} | ${r.promptNRatio.toFixed(3)}× |`);
	}
	console.log(JSON.stringify({ bench: 'remote', rows }));
}
