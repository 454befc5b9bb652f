/*
 * Prompt tokens per second, like for like: Bora's completion engine answering a cold request (a
 * window not in its KV cache, cut to one 2,048-token prompt as every cold request is, 1 token
 * generated) against llama-bench's `pp` for the same token count, thread count, batch and
 * micro-batch, with node-llama-cpp's bare `evaluateWithoutGeneratingNewTokens` of the same prompt
 * as a third row; the three alternate run by run. (The session bench's prompt figure divides by
 * requests of every size and depth and compares with pp512/pp2048 from an empty cache, which is
 * not the same work.) Needs `node scripts/build-llama-tools.mjs`; skips itself otherwise. Prints a
 * table and JSON; asserts nothing. `BORA_BENCH_MODELS=benchDense` picks models.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { CompletionEngine, completionWindow, createLlama, lineWindow, loadModel } from '../../src/runtime';
import { contextFlashAttention } from '../../src/runtime/loading/contextFlashAttention';
import { builtLlamaTools, buildLlamaToolsCommand, type LlamaTools } from '../support/llamaTools';
import { benchModelNames, ensureBenchModel, type BenchModelName } from '../models/benchModels';
import { benchSourceText } from './editingSession';
import { quantile } from './statistics';

const runs = Number(process.env['BORA_BENCH_RUNS'] ?? 7);
/** The engine's own batch (`CompletionEngineOptions.batchSize`). */
const batchSize = 512;

async function benchModel(name: BenchModelName, tools: LlamaTools) {
	const modelPath = await ensureBenchModel(name);
	const handle = await createLlama({ gpu: 'off' });
	const loaded = await loadModel(handle, { modelPath });
	const lines = benchSourceText().split('\n');
	const engine = new CompletionEngine(loaded, { threads: handle.threads, generationThreads: handle.generationThreads, contextSize: 4096, batchSize });
	const bareContext = await loaded.model.createContext({ contextSize: 4096, sequences: 1, threads: handle.threads, batchSize, flashAttention: contextFlashAttention });
	const bare = bareContext.getSequence();
	const samples = { bora: [] as number[], bare: [] as number[], llamaBench: [] as number[] };
	let evaluated = 0;
	try {
		for (let run = -1; run < runs; run++) {
			// Another place in the file each run: nothing of the window is cached.
			const line = 400 + (run + 1) * 211;
			const window = lineWindow(lines.slice(0, line).join('\n') + '\n', lines.slice(line).join('\n'), completionWindow);
			const { stats } = await engine.complete({ ...window, maxTokens: 1, fileName: 'source.js' });
			// The whole window is evaluated in the background after a cold request: not while the others run.
			// (Its quiet-time timer is unref'd, as the runtime's are: this interval keeps the process up meanwhile.)
			const keepAlive = setInterval(() => undefined, 1_000);
			await engine.whenColdBackgroundSettled().finally(() => clearInterval(keepAlive));
			const fresh = stats.promptTokens - stats.cachedPromptTokens;
			const prompt = loaded.model.tokenize(lines.slice(line - 300, line).join('\n')).slice(0, fresh);
			await bare.clearHistory();
			const started = performance.now();
			await bare.evaluateWithoutGeneratingNewTokens(prompt);
			const bareMs = performance.now() - started;
			const [row] = JSON.parse(execFileSync(tools.bench, ['-m', modelPath, '-o', 'json', '-r', '1', '-p', String(fresh), '-n', '0', '-t', String(handle.threads), '-b', String(batchSize), '-ub', String(batchSize), '-fa', '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{ avg_ts: number }>;
			if (run < 0) {
				continue;
			}
			evaluated = fresh;
			samples.bora.push(fresh / (stats.promptMs / 1000));
			samples.bare.push(prompt.length / (bareMs / 1000));
			samples.llamaBench.push(row!.avg_ts);
		}
	} finally {
		await bareContext.dispose();
		await engine.dispose();
		await loaded.dispose();
		await handle.llama.dispose();
	}
	const p50 = Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, quantile(values, 0.5)])) as Record<keyof typeof samples, number>;
	return { model: name, threads: handle.threads, evaluated, p50 };
}

const tools = builtLlamaTools();
if (!tools) {
	console.log(`promptThroughput.bench skipped: llama-bench is not built; run \`${buildLlamaToolsCommand}\` (about 10 minutes on 2 cores).`);
} else {
	console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical CPUs, load average ${loadavg().map(x => x.toFixed(2)).join(' ')}; ${runs} runs each, alternating`);
	const only = process.env['BORA_BENCH_MODELS']?.split(',');
	const results = [];
	for (const name of benchModelNames.filter(n => !only || only.includes(n))) {
		const result = await benchModel(name, tools);
		results.push(result);
		const { bora, bare, llamaBench } = result.p50;
		console.log(`\n## ${name}: cold prompts of ${result.evaluated} tokens, ${result.threads} threads, batch ${batchSize}`);
		console.log('| path | prompt tok/s (p50) | / llama-bench |\n|---|---|---|');
		console.log(`| llama-bench pp${result.evaluated} | ${llamaBench.toFixed(0)} | 1.00 |`);
		console.log(`| node-llama-cpp, bare | ${bare.toFixed(0)} | ${(bare / llamaBench).toFixed(2)} |`);
		console.log(`| Bora's engine, cold request | ${bora.toFixed(0)} | **${(bora / llamaBench).toFixed(2)}** |`);
	}
	console.log(JSON.stringify({ bench: 'promptThroughput', runs, batchSize, results }));
}
