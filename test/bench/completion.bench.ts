/*
 * Inline completion on a scripted editing session, (a) the naive way against (b) Bora's engine, in
 * one process on one model, request by request interleaved so a noisy machine slows both alike.
 * (a) evaluates every prompt from scratch on a cleared sequence; (b) is Bora's engine with its KV reuse
 * and stable-first layout. Both generate the same greedy tokens. Prints a table and JSON; asserts
 * nothing. `BORA_BENCH_QUICK=1` types fewer characters; `BORA_BENCH_MODELS=benchDense` runs the listed models only.
 */
import { availableParallelism, cpus } from 'node:os';
import type { LlamaContextSequence } from 'node-llama-cpp';
import { buildFimPrompt, CompletionEngine, completionWindow, createLlama, lineWindow, loadModel, type FimFormat, type LoadedModel } from '../../src/runtime';
import { generateTokens } from '../../src/runtime/completion/generateTokens';
import { contextFlashAttention } from '../../src/runtime/loading/contextFlashAttention';
import { scheduleEvaluations } from '../../src/runtime/scheduler/scheduledEvaluation';
import { benchModelNames, ensureBenchModel, type BenchModelName } from '../models/benchModels';
import { benchSourceText, editingSession, type SessionStep, type SessionStepKind } from './editingSession';
import { mean, quantile } from './statistics';

const maxTokens = 16;
const contextSize = 4096;
const quick = process.env['BORA_BENCH_QUICK'] === '1';

interface Sample {
	readonly kind: SessionStepKind;
	readonly ms: number;
	/** From the request to its first generated token: the prompt work that KV reuse saves. */
	readonly firstTokenMs: number;
	readonly promptTokens: number;
	readonly evaluatedTokens: number;
	readonly generatedTokens: number;
}

interface Summary {
	readonly requests: number;
	readonly p50Ms: number;
	readonly p95Ms: number;
	readonly coldP50Ms: number;
	readonly warmTypeP50Ms: number;
	readonly coldFirstTokenP50Ms: number;
	readonly warmTypeFirstTokenP50Ms: number;
	readonly promptTokensPerRequest: number;
	readonly evaluatedTokensPerRequest: number;
	readonly cacheHitRate: number;
	readonly generatedTokensPerRequest: number;
}

function summarize(samples: readonly Sample[]): Summary {
	return {
		requests: samples.length,
		p50Ms: quantile(samples.map(s => s.ms), 0.5),
		p95Ms: quantile(samples.map(s => s.ms), 0.95),
		coldP50Ms: quantile(samples.filter(s => s.kind === 'jump').map(s => s.ms), 0.5),
		warmTypeP50Ms: quantile(samples.filter(s => s.kind === 'type').map(s => s.ms), 0.5),
		coldFirstTokenP50Ms: quantile(samples.filter(s => s.kind === 'jump').map(s => s.firstTokenMs), 0.5),
		warmTypeFirstTokenP50Ms: quantile(samples.filter(s => s.kind === 'type').map(s => s.firstTokenMs), 0.5),
		promptTokensPerRequest: mean(samples.map(s => s.promptTokens)),
		evaluatedTokensPerRequest: mean(samples.map(s => s.evaluatedTokens)),
		// A hit: at least half of the prompt came from the KV cache.
		cacheHitRate: mean(samples.map(s => (s.promptTokens - s.evaluatedTokens >= s.promptTokens / 2 ? 1 : 0))),
		generatedTokensPerRequest: mean(samples.map(s => s.generatedTokens)),
	};
}

/**
 * (a): the same text as a plain FIM prompt, evaluated from an empty sequence every time, then the same
 * greedy generation. node-llama-cpp's own `generateInfillCompletion` is not used: it knows no Mistral
 * FIM tokens, and on these random weights its different prompt layout met an end token at once, so it
 * skipped generation and would make the baseline look cheaper than any real one.
 */
async function naive(loaded: LoadedModel, format: FimFormat, sequence: LlamaContextSequence, prefix: string, suffix: string, onToken?: () => void) {
	await sequence.clearHistory();
	const prompt = buildFimPrompt(format, loaded.model, { prefix, suffix, maxTextTokens: contextSize - maxTokens - 8 });
	const generated = await generateTokens({ sequence, prompt, stopTokens: new Set(format.stopTokens), maxTokens, onToken });
	return { promptTokens: prompt.length, evaluatedTokens: prompt.length - generated.cachedPromptTokens, generatedTokens: generated.tokens.length };
}

async function benchModel(name: BenchModelName, steps: readonly SessionStep[]) {
	const handle = await createLlama({ gpu: 'off' });
	const loaded = await loadModel(handle, { modelPath: await ensureBenchModel(name) });
	if ('reason' in loaded.fim) {
		throw new Error(`${name}: ${loaded.fim.reason}`);
	}
	const format = loaded.fim.format;
	// Both generate with Bora's thread split (every core for the prompt, one fewer while generating),
	// so the ratios measure what KV reuse and the prompt layout save, not thread counts.
	const generationThreads = { llama: handle.llama, threads: handle.generationThreads };
	const engine = new CompletionEngine(loaded, { threads: handle.threads, generationThreads: handle.generationThreads, contextSize });
	const context = await loaded.model.createContext({ contextSize, sequences: 1, threads: handle.threads, flashAttention: contextFlashAttention });
	const sequence = context.getSequence();
	// Its evaluations get the same thread phases as the engine's, with no scheduler job to pause them.
	scheduleEvaluations(sequence, { jobOf: () => undefined, generationThreads });
	const samples = { naive: [] as Sample[], bora: [] as Sample[] };
	try {
		// Warm-up outside the measurement (first-call allocations), on text the session never shows.
		await naive(loaded, format, sequence, 'const warm = ', ';');
		await engine.complete({ prefix: 'let warmUp = ', suffix: '', maxTokens });
		for (const [index, step] of steps.entries()) {
			// The service's own window, so the bench measures the prompts typing sends.
			const { prefix, suffix } = lineWindow(step.text.slice(0, step.offset), step.text.slice(step.offset), completionWindow);
			let started = performance.now();
			let firstToken: number | undefined;
			const onToken = () => { firstToken ??= performance.now(); };
			const a = await naive(loaded, format, sequence, prefix, suffix, onToken);
			samples.naive.push({ kind: step.kind, ms: performance.now() - started, firstTokenMs: (firstToken ?? performance.now()) - started, ...a });
			started = performance.now();
			firstToken = undefined;
			const { stats } = await engine.complete({ prefix, suffix, maxTokens, fileName: 'source.js', onToken });
			samples.bora.push({
				kind: step.kind, ms: performance.now() - started, firstTokenMs: (firstToken ?? performance.now()) - started, promptTokens: stats.promptTokens,
				evaluatedTokens: stats.promptTokens - stats.cachedPromptTokens, generatedTokens: stats.generatedTokens,
			});
			const [lastA, lastB] = [samples.naive.at(-1)!, samples.bora.at(-1)!];
			process.stderr.write(`${name} ${index + 1}/${steps.length} ${step.kind}: (a) ${lastA.ms.toFixed(0)} ms (generating ${(lastA.ms - lastA.firstTokenMs).toFixed(0)}), (b) ${lastB.ms.toFixed(0)} ms (generating ${(lastB.ms - lastB.firstTokenMs).toFixed(0)}), ${lastB.evaluatedTokens} evaluated\n`);
		}
	} finally {
		await context.dispose();
		await engine.dispose();
		await loaded.dispose();
		await handle.llama.dispose();
	}
	const a = summarize(samples.naive);
	const b = summarize(samples.bora);
	return {
		model: name, format: format.name, threads: handle.threads, generationThreads: handle.generationThreads, naive: a, bora: b,
		ratios: {
			evaluatedTokens: a.evaluatedTokensPerRequest / b.evaluatedTokensPerRequest,
			p50: a.p50Ms / b.p50Ms,
			p95: a.p95Ms / b.p95Ms,
			/** Bora's warm one-character edit as a share of its cold request, whole requests (target ≤ 0.10). */
			boraWarmOverCold: b.warmTypeP50Ms / b.coldP50Ms,
			/** The same up to the first generated token: the prompt work alone, which both generate alike after. */
			boraWarmOverColdFirstToken: b.warmTypeFirstTokenP50Ms / b.coldFirstTokenP50Ms,
		},
	};
}

const source = benchSourceText();
const steps = editingSession(source, quick ? { places: 2, charsPerPlace: 16 } : { places: 3, charsPerPlace: 24 });
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical CPUs; session: ${source.split('\n').length}-line file, ${steps.length} requests (${steps.filter(s => s.kind === 'jump').length} cursor jumps, ${steps.filter(s => s.kind === 'accept').length} accepts), ${maxTokens} tokens max each`);
const only = process.env['BORA_BENCH_MODELS']?.split(',');
const results = [];
for (const name of benchModelNames.filter(n => !only || only.includes(n))) {
	const result = await benchModel(name, steps);
	results.push(result);
	const row = (label: string, s: Summary) => `| ${name} (${result.format}) | ${label} | ${s.p50Ms.toFixed(0)} | ${s.p95Ms.toFixed(0)} | ${s.coldP50Ms.toFixed(0)} | ${s.warmTypeP50Ms.toFixed(0)} | ${s.coldFirstTokenP50Ms.toFixed(0)} | ${s.warmTypeFirstTokenP50Ms.toFixed(0)} | ${s.promptTokensPerRequest.toFixed(0)} | ${s.evaluatedTokensPerRequest.toFixed(1)} | ${(s.cacheHitRate * 100).toFixed(0)}% | ${s.generatedTokensPerRequest.toFixed(1)} |`;
	console.log('\n| model | engine | p50 ms | p95 ms | cold p50 ms | 1-char p50 ms | cold to 1st token | 1-char to 1st token | prompt tok/req | evaluated tok/req | cache hits | generated tok/req |');
	console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
	console.log(row('(a) naive, from scratch', result.naive));
	console.log(row('(b) Bora', result.bora));
	const r = result.ratios;
	console.log(`(a)/(b): ${r.evaluatedTokens.toFixed(1)}× fewer evaluated tokens, ${r.p50.toFixed(1)}× lower p50, ${r.p95.toFixed(1)}× lower p95; Bora warm 1-char / cold = ${(r.boraWarmOverCold * 100).toFixed(1)}% (to the first token: ${(r.boraWarmOverColdFirstToken * 100).toFixed(1)}%)`);
}
console.log(JSON.stringify({ bench: 'completion', steps: steps.length, maxTokens, results }));
