/*
 * Bora against llama.cpp's own tools, built from the same llama.cpp source (node-llama-cpp's) by
 * scripts/build-llama-tools.mjs, on the bench models with Bora's thread split (every physical core
 * for prompts, one fewer while generating):
 * 1. `llama-bench`: raw prompt (pp512, pp1024) and generation (tg32) speed;
 * 2. `llama-server` with `--cache-reuse 256`, driven as llama.vscode drives it, on the scripted
 *    editing session, in blocks (one cursor place each) alternating with Bora's engine in this
 *    process, so a noisy machine slows both alike; p50 per request kind and Bora / llama-server;
 * 3. Bora's own prompt tokens/s and ms per generated token against llama-bench's pp and tg.
 * Prints tables and JSON; asserts nothing. Skips, saying how to build them, when the tools are not
 * built. `BORA_BENCH_QUICK=1` types fewer characters and repeats less; `BORA_BENCH_MODELS=benchDense`
 * runs the listed models only.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { CompletionEngine, completionWindow, createLlama, lineWindow, loadModel } from '../../src/runtime';
import { benchModelNames, ensureBenchModel, type BenchModelName } from '../models/benchModels';
import { builtLlamaTools, buildLlamaToolsCommand, type LlamaTools } from '../support/llamaTools';
import { LlamaServerProcess } from '../support/LlamaServerProcess';
import { llamaVscodeInfill } from '../support/llamaVscodeInfill';
import { scriptedSession, type RequestKind, type ScriptedStep } from './editingSession';
import { mean, quantile } from './statistics';

const maxTokens = 16;
const contextSize = 4096;
const quick = process.env['BORA_BENCH_QUICK'] === '1';
/** Each round is the session on the file rotated by a third, so its first request finds nothing cached. */
const rounds = quick ? 1 : 3;

/** The part of llama-server's /infill answer the bench reads. */
interface InfillAnswer {
	readonly content: string;
	readonly tokens_cached?: number;
	readonly timings?: { readonly prompt_n?: number; readonly prompt_ms?: number; readonly predicted_n?: number; readonly predicted_ms?: number };
}

/** The first request in a file, the first after a cursor jump, a typed character, an accepted suggestion. */

interface Sample {
	readonly kind: RequestKind;
	readonly ms: number;
	readonly evaluatedTokens: number;
	readonly promptMs: number;
	readonly generatedTokens: number;
	readonly generationMs: number;
}

interface BenchRow {
	readonly test: string;
	readonly threads: number;
	readonly tokensPerSecond: number;
	readonly stddev: number;
}

/**
 * llama-bench's JSON rows: pp512/pp1024 with the prompt threads, and pp2048, nearer the session's cold
 * prompts (2–3 k tokens; prompt speed falls with length), then tg32 with the generation threads.
 * llama-bench's tg only decodes: it samples nothing, so every real generator pays a little more a token.
 */
function runLlamaBench(tools: LlamaTools, modelPath: string, threads: number, generationThreads: number): BenchRow[] {
	const run = (args: string[]) => JSON.parse(execFileSync(tools.bench, ['-m', modelPath, '-o', 'json', '-r', quick ? '2' : '5', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{ n_prompt: number; n_gen: number; n_threads: number; avg_ts: number; stddev_ts: number }>;
	return [...run(['-p', '512,1024,2048', '-n', '0', '-t', String(threads)]), ...run(['-p', '0', '-n', '32', '-t', String(generationThreads)])]
		.map(row => ({ test: row.n_prompt > 0 ? `pp${row.n_prompt}` : `tg${row.n_gen}`, threads: row.n_threads, tokensPerSecond: row.avg_ts, stddev: row.stddev_ts }));
}

const sessionSteps = () => scriptedSession(rounds, quick);

const p50 = (samples: readonly Sample[], kind: RequestKind) => quantile(samples.filter(s => s.kind === kind).map(s => s.ms), 0.5);

async function benchModel(name: BenchModelName, tools: LlamaTools) {
	const modelPath = await ensureBenchModel(name);
	const handle = await createLlama({ gpu: 'off' });
	const { threads, generationThreads } = handle;
	// Run again after the session and keep each test's faster run: a shared machine only ever slows it.
	const llamaBenchBefore = runLlamaBench(tools, modelPath, threads, generationThreads);
	const loaded = await loadModel(handle, { modelPath });
	const engine = new CompletionEngine(loaded, { threads, generationThreads, contextSize });
	const samples = { bora: [] as Sample[], server: [] as Sample[] };
	let server: LlamaServerProcess | undefined;
	let serverSkipped: string | undefined;
	try {
		// Warm-up outside the measurement, on text the session never shows.
		await engine.complete({ prefix: 'let warmUp = ', suffix: '', maxTokens });
		try {
			server = await LlamaServerProcess.start({ binary: tools.server, modelPath, threads: generationThreads, batchThreads: threads, contextSize, cacheReuse: 256 });
			await server.post<InfillAnswer>('/infill', llamaVscodeInfill({ text: 'const warm = ;', offset: 13, maxTokens }));
		} catch (error) {
			// The mistral4 bench model has [PREFIX]/[SUFFIX] but no middle token, which /infill requires.
			serverSkipped = error instanceof Error ? error.message : String(error);
		}
		const steps = sessionSteps();
		const blocks = new Map<string, ScriptedStep[]>();
		for (const step of steps) {
			blocks.set(step.block, [...(blocks.get(step.block) ?? []), step]);
		}
		let blockIndex = 0;
		for (const block of blocks.values()) {
			const runBora = async () => {
				for (const step of block) {
					const { prefix, suffix } = lineWindow(step.text.slice(0, step.offset), step.text.slice(step.offset), completionWindow);
					const started = performance.now();
					const { stats } = await engine.complete({ prefix, suffix, maxTokens, fileName: 'source.js' });
					samples.bora.push({
						kind: step.request, ms: performance.now() - started, evaluatedTokens: stats.promptTokens - stats.cachedPromptTokens,
						promptMs: stats.promptMs, generatedTokens: stats.generatedTokens, generationMs: stats.generationMs,
					});
				}
				// A cold request's whole prompt is evaluated in the background once Bora is idle: that is
				// Bora's own work, so it ends here rather than slowing the server's block.
				await engine.whenColdBackgroundSettled();
			};
			const runServer = async () => {
				if (!server || serverSkipped) {
					return;
				}
				for (const step of block) {
					const started = performance.now();
					const answer = await server.post<InfillAnswer>('/infill', llamaVscodeInfill({ text: step.text, offset: step.offset, maxTokens }));
					samples.server.push({
						kind: step.request, ms: performance.now() - started, evaluatedTokens: answer.timings?.prompt_n ?? NaN,
						promptMs: answer.timings?.prompt_ms ?? NaN, generatedTokens: answer.timings?.predicted_n ?? NaN, generationMs: answer.timings?.predicted_ms ?? NaN,
					});
				}
			};
			// Alternate which goes first, so neither always runs right after the other's burst.
			if (blockIndex++ % 2 === 0) {
				await runServer();
				await runBora();
			} else {
				await runBora();
				await runServer();
			}
			process.stderr.write(`${name}: block ${blockIndex}/${blocks.size} done\n`);
		}
	} finally {
		await server?.stop();
		await engine.dispose();
		await loaded.dispose();
		await handle.llama.dispose();
	}
	const llamaBenchAfter = runLlamaBench(tools, modelPath, threads, generationThreads);
	const llamaBench = llamaBenchBefore.map(row => {
		const after = llamaBenchAfter.find(other => other.test === row.test);
		return after && after.tokensPerSecond > row.tokensPerSecond ? after : row;
	});
	return { model: name, threads, generationThreads, llamaBench, samples, serverSkipped };
}

/** Prompt tokens/s over requests that evaluated at least 64 tokens, and ms per generated token after the first. */
function speeds(samples: readonly Sample[]) {
	const cold = samples.filter(s => s.evaluatedTokens >= 64 && s.promptMs > 0);
	const generating = samples.filter(s => s.generatedTokens > 1);
	return {
		promptTokensPerSecond: cold.reduce((sum, s) => sum + s.evaluatedTokens, 0) / (cold.reduce((sum, s) => sum + s.promptMs, 0) / 1000),
		promptTokensPerRequest: mean(cold.map(s => s.evaluatedTokens)),
		msPerGeneratedToken: generating.reduce((sum, s) => sum + s.generationMs, 0) / generating.reduce((sum, s) => sum + s.generatedTokens - 1, 0),
	};
}

const tools = builtLlamaTools();
if (!tools) {
	console.log(`llamaServer.bench skipped: llama.cpp's llama-server and llama-bench are not built; run \`${buildLlamaToolsCommand}\` (about 10 minutes on 2 cores) or \`npm run bench:llama\`.`);
} else {
	const steps = sessionSteps();
	console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical CPUs, load average ${loadavg().map(x => x.toFixed(2)).join(' ')}; llama.cpp tools from node-llama-cpp ${tools.version}`);
	console.log(`session: ${rounds} round(s), ${steps.length} requests each side (${steps.filter(s => s.request === 'first').length} first in a file, ${steps.filter(s => s.request === 'jump').length} after a jump), ${maxTokens} tokens max`);
	const only = process.env['BORA_BENCH_MODELS']?.split(',');
	const results = [];
	for (const name of benchModelNames.filter(n => !only || only.includes(n))) {
		const result = await benchModel(name, tools);
		results.push(result);
		console.log(`\n## ${name}: prompts on ${result.threads} thread(s), generation on ${result.generationThreads}`);
		console.log('| llama-bench (faster of the runs before and after the session) | threads | tok/s |');
		console.log('|---|---|---|');
		for (const row of result.llamaBench) {
			console.log(`| ${row.test} | ${row.threads} | ${row.tokensPerSecond.toFixed(0)} ± ${row.stddev.toFixed(0)} |`);
		}
		const bora = speeds(result.samples.bora);
		const benchSpeed = (test: string) => result.llamaBench.find(row => row.test === test)?.tokensPerSecond ?? NaN;
		const tgMs = 1000 / benchSpeed('tg32');
		console.log(`Bora in the session: ${bora.promptTokensPerSecond.toFixed(0)} prompt tok/s over requests evaluating ≥ 64 tokens (${bora.promptTokensPerRequest.toFixed(0)} each) = ${(bora.promptTokensPerSecond / benchSpeed('pp512')).toFixed(2)}× llama-bench pp512, ${(bora.promptTokensPerSecond / benchSpeed('pp2048')).toFixed(2)}× pp2048; ${bora.msPerGeneratedToken.toFixed(1)} ms per generated token = ${(bora.msPerGeneratedToken / tgMs).toFixed(2)}× llama-bench tg32's ${tgMs.toFixed(1)} ms`);
		if (result.serverSkipped) {
			console.log(`llama-server session skipped: ${result.serverSkipped}`);
			continue;
		}
		const server = speeds(result.samples.server);
		console.log(`llama-server in the session (its own timings): ${server.promptTokensPerSecond.toFixed(0)} prompt tok/s over requests evaluating ≥ 64 tokens (${server.promptTokensPerRequest.toFixed(0)} each), ${server.msPerGeneratedToken.toFixed(1)} ms per generated token; Bora / llama-server: prompt ${(bora.promptTokensPerSecond / server.promptTokensPerSecond).toFixed(2)}×, ms per generated token ${(bora.msPerGeneratedToken / server.msPerGeneratedToken).toFixed(2)}×`);
		console.log('| request | Bora p50 ms | llama-server p50 ms | Bora / llama-server | Bora evaluated tok | llama-server evaluated tok |');
		console.log('|---|---|---|---|---|---|');
		for (const kind of ['first', 'jump', 'type', 'accept'] as const) {
			const [b, s] = [p50(result.samples.bora, kind), p50(result.samples.server, kind)];
			const evaluated = (samples: readonly Sample[]) => mean(samples.filter(x => x.kind === kind).map(x => x.evaluatedTokens)).toFixed(1);
			console.log(`| ${kind} (${result.samples.bora.filter(x => x.kind === kind).length}) | ${b.toFixed(0)} | ${s.toFixed(0)} | ${(b / s).toFixed(2)} | ${evaluated(result.samples.bora)} | ${evaluated(result.samples.server)} |`);
		}
		console.log(`generated tok/req: Bora ${mean(result.samples.bora.map(s => s.generatedTokens)).toFixed(1)}, llama-server ${mean(result.samples.server.map(s => s.generatedTokens)).toFixed(1)}`);
	}
	console.log(JSON.stringify({
		bench: 'llamaServer', maxTokens, rounds,
		results: results.map(({ samples, ...rest }) => ({
			...rest,
			p50: Object.fromEntries((['first', 'jump', 'type', 'accept'] as const).map(kind => [kind, { bora: p50(samples.bora, kind), llamaServer: p50(samples.server, kind) }])),
			bora: speeds(samples.bora), llamaServer: speeds(samples.server),
		})),
	}));
}
