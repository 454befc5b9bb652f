/*
 * Milliseconds per generated token along Bora's generation path, layer by layer, on one bench model
 * with Bora's thread split: node-llama-cpp's bare `sequence.evaluate`, the same through the
 * scheduler's wrapper, `generateTokens` with the engine's per-token detokenisation and endings,
 * and whole engine requests. Each generation starts after a prompt of `depth` tokens, so attention
 * costs what it does in a real request; compare with `llama-bench -t <generation threads> -p 0 -n 32
 * -d <depth>`. Prints a table and JSON; asserts nothing. `BORA_BENCH_MODELS=benchDense` picks models.
 */
import { availableParallelism, cpus } from 'node:os';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { buildFimPrompt, CompletionEngine, completionWindow, createLlama, lineWindow, loadModel } from '../../src/runtime';
import { endingFor } from '../../src/runtime/completion/endings';
import { generateTokens } from '../../src/runtime/completion/generateTokens';
import { contextFlashAttention } from '../../src/runtime/loading/contextFlashAttention';
import { scheduleEvaluations } from '../../src/runtime/scheduler/scheduledEvaluation';
import { benchModelNames, ensureBenchModel, type BenchModelName } from '../models/benchModels';
import { benchSourceText } from './editingSession';
import { quantile } from './statistics';

const tokensPerRun = 32;
const runs = Number(process.env['BORA_BENCH_RUNS'] ?? 15);
const depth = Number(process.env['BORA_BENCH_DEPTH'] ?? 2048);
const contextSize = 4096;

/** Milliseconds per token after the first, which also pays for the prompt's last token. */
async function timed(generate: (onToken: () => void) => Promise<unknown>): Promise<number> {
	const times: number[] = [];
	await generate(() => times.push(performance.now()));
	return times.length < 2 ? Number.NaN : (times.at(-1)! - times[0]!) / (times.length - 1);
}

async function bare(sequence: LlamaContextSequence, prompt: readonly Token[], onToken: () => void): Promise<void> {
	await sequence.adaptStateToTokens(prompt.slice(0, -1), false);
	let count = 0;
	for await (const token of sequence.evaluate(prompt.slice(sequence.nextTokenIndex), { temperature: 0, yieldEogToken: true })) {
		void token;
		onToken();
		if (++count >= tokensPerRun) {
			break;
		}
	}
}

async function benchModel(name: BenchModelName) {
	const handle = await createLlama({ gpu: 'off' });
	const loaded = await loadModel(handle, { modelPath: await ensureBenchModel(name) });
	if ('reason' in loaded.fim) {
		throw new Error(`${name}: ${loaded.fim.reason}`);
	}
	const format = loaded.fim.format;
	const model = loaded.model;
	const generationThreads = { llama: handle.llama, threads: handle.generationThreads };
	const source = benchSourceText();
	const prompt = buildFimPrompt(format, model, { prefix: source.slice(0, source.length / 2), suffix: source.slice(source.length / 2), maxTextTokens: depth });
	// The same at almost no depth, as llama-bench's plain tg runs.
	const shallowPrompt = prompt.slice(0, 16);
	const engine = new CompletionEngine(loaded, { threads: handle.threads, generationThreads: handle.generationThreads, contextSize });
	const context = await model.createContext({ contextSize, sequences: 1, threads: handle.threads, flashAttention: contextFlashAttention });
	const plain = context.getSequence();
	const shallowContext = await model.createContext({ contextSize, sequences: 1, threads: handle.threads, flashAttention: contextFlashAttention });
	const shallow = shallowContext.getSequence();
	const wrappedContext = await model.createContext({ contextSize, sequences: 1, threads: handle.threads, flashAttention: contextFlashAttention });
	const wrapped = wrappedContext.getSequence();
	scheduleEvaluations(wrapped, { jobOf: () => undefined, generationThreads });
	const text = source.slice(0, source.length / 2);
	const requestPrefix = text.slice(text.lastIndexOf('\n', text.length - 2) + 1);
	const window = lineWindow(text, source.slice(source.length / 2), completionWindow);
	const generate = (onToken: () => void) => {
		const ending = endingFor({ prefix: requestPrefix, suffix: '\n' });
		const textOf = (tokens: readonly Token[]) => model.detokenize(tokens, false, prompt);
		// No stop: the same token count every run.
		return generateTokens({ sequence: wrapped, prompt, stopTokens: new Set(), maxTokens: tokensPerRun, onToken, shouldStop: tokens => (ending.done(textOf(tokens)), false) });
	};
	const layers: Record<string, () => Promise<number>> = {
		// node-llama-cpp alone, at the generation thread count for the whole run.
		bareEvaluate: () => {
			handle.llama.maxThreads = handle.generationThreads;
			return timed(onToken => bare(plain, prompt, onToken)).finally(() => { handle.llama.maxThreads = handle.threads; });
		},
		bareEvaluateShallow: () => {
			handle.llama.maxThreads = handle.generationThreads;
			return timed(onToken => bare(shallow, shallowPrompt, onToken)).finally(() => { handle.llama.maxThreads = handle.threads; });
		},
		scheduledEvaluate: () => timed(onToken => bare(wrapped, prompt, onToken)),
		generateTokens: () => timed(onToken => generate(onToken)),
		// The same run, timed as the engine's stats time it: from the first token to the loop's end.
		generateTokensStats: async () => {
			const generated = await generate(() => undefined);
			return generated.generationMs / (generated.tokens.length - 1);
		},
	};
	const samples: Record<string, number[]> = Object.fromEntries(Object.keys(layers).map(key => [key, []]));
	samples['engine'] = [];
	let enginePromptTokens = 0;
	let engineTokens = 0;
	try {
		for (const layer of Object.values(layers)) {
			await layer();
		}
		for (let run = 0; run < runs; run++) {
			for (const [key, layer] of Object.entries(layers)) {
				samples[key]!.push(await layer());
			}
			// The engine: one request on the same prompt (its KV reuse makes it a keystroke's cost), per token from its stats.
			const { stats } = await engine.complete({ ...window, maxTokens: tokensPerRun, fileName: 'source.js' }, undefined);
			enginePromptTokens = stats.promptTokens;
			engineTokens = stats.generatedTokens;
			if (stats.generatedTokens > 1) {
				samples['engine']!.push(stats.generationMs / (stats.generatedTokens - 1));
			}
		}
	} finally {
		await context.dispose();
		await wrappedContext.dispose();
		await shallowContext.dispose();
		await engine.dispose();
		await loaded.dispose();
		await handle.llama.dispose();
	}
	const medians = Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, quantile(values, 0.5)]));
	return { model: name, threads: handle.threads, generationThreads: handle.generationThreads, depth: prompt.length, enginePromptTokens, engineTokens, medians };
}

console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical CPUs; ${runs} runs of ${tokensPerRun} tokens`);
const only = process.env['BORA_BENCH_MODELS']?.split(',');
const results = [];
for (const name of benchModelNames.filter(n => !only || only.includes(n))) {
	const result = await benchModel(name);
	results.push(result);
	console.log(`\n## ${name}: ${result.depth} prompt tokens (engine ${result.enginePromptTokens}, generating ${result.engineTokens}), generation on ${result.generationThreads} thread(s)`);
	console.log('| layer | ms per token (p50) |\n|---|---|');
	for (const [key, value] of Object.entries(result.medians)) {
		console.log(`| ${key} | ${value.toFixed(2)} |`);
	}
}
console.log(JSON.stringify({ bench: 'perToken', tokensPerRun, runs, results }));
