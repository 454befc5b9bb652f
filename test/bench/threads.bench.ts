/*
 * Why Bora sets thread counts itself, in one process per comparison:
 * 1. generation speed with one thread per physical core against node-llama-cpp's CPU default of at
 *    least 4 threads;
 * 2. per-token generation times on the dense bench model while typing, with every core generating
 *    against Bora's split (every core for the prompt, one fewer while generating), interleaved.
 * Prints numbers and ratios; asserts nothing (speed belongs in benchmarks, not tests).
 */
import { availableParallelism } from 'node:os';
import { CompletionEngine, completionWindow, createLlama, lineWindow, loadModel } from '../../src/runtime';
import { ensureBenchModel } from '../models/benchModels';
import { endlessFim, ensureFixtureModel } from '../models/fixtures';
import { benchSourceText, editingSession } from './editingSession';
import { mean, quantile } from './statistics';

const tokens = 64;
const rounds = 3;

async function measure(threads: number): Promise<number> {
	const handle = await createLlama({ gpu: 'off', threads });
	const loaded = await loadModel(handle, { modelPath: await ensureFixtureModel('mistral4Fim') });
	const engine = new CompletionEngine(loaded, { threads });
	try {
		let best = 0;
		for (let round = 0; round < rounds; round++) {
			// A different prefix each round, so every round evaluates its prompt and generates afresh.
			const result = await engine.complete({ prefix: `${round}\n${endlessFim.prefix}`, suffix: '', maxTokens: tokens });
			best = Math.max(best, result.stats.generatedTokens / (result.stats.generationMs / 1000));
		}
		return best;
	} finally {
		await engine.dispose();
		await loaded.dispose();
		await handle.llama.dispose();
	}
}

const probe = await createLlama({ gpu: 'off' });
const cores = probe.threads;
await probe.llama.dispose();
const libraryDefault = Math.max(4, cores);
console.log(`machine: ${availableParallelism()} logical CPUs, ${cores} used for math by default`);
const ours = await measure(cores);
const theirs = await measure(libraryDefault);
console.log(JSON.stringify({ tokens, rounds, threads: { bora: cores, libraryDefault }, tokensPerSecond: { bora: Math.round(ours), libraryDefault: Math.round(theirs) } }));
console.log(`generation: ${ours.toFixed(0)} tok/s with ${cores} threads vs ${theirs.toFixed(0)} tok/s with ${libraryDefault}: ${(ours / theirs).toFixed(1)}× faster`);

/** Milliseconds between consecutive generated tokens of typing-session requests, per engine. */
async function generationGaps(): Promise<{ cores: number; generationThreads: number; gaps: Record<'allCores' | 'split', number[]> }> {
	const handle = await createLlama({ gpu: 'off' });
	const loaded = await loadModel(handle, { modelPath: await ensureBenchModel('benchDense') });
	const engines = {
		allCores: new CompletionEngine(loaded, { threads: handle.threads, contextSize: 4096 }),
		split: new CompletionEngine(loaded, { threads: handle.threads, generationThreads: handle.generationThreads, contextSize: 4096 }),
	};
	const gaps = { allCores: [] as number[], split: [] as number[] };
	try {
		for (const step of editingSession(benchSourceText(), { places: 2, charsPerPlace: 12 })) {
			// The service's own window, so the bench measures the prompts typing sends.
			const { prefix, suffix } = lineWindow(step.text.slice(0, step.offset), step.text.slice(step.offset), completionWindow);
			for (const [name, engine] of Object.entries(engines) as [keyof typeof engines, CompletionEngine][]) {
				let last: number | undefined;
				await engine.complete({ prefix, suffix, maxTokens: 16, onToken: () => {
					const now = performance.now();
					if (last !== undefined) {
						gaps[name].push(now - last);
					}
					last = now;
				} });
			}
		}
	} finally {
		await engines.allCores.dispose();
		await engines.split.dispose();
		await loaded.dispose();
		await handle.llama.dispose();
	}
	return { cores: handle.threads, generationThreads: handle.generationThreads, gaps };
}

const summary = (values: readonly number[]) => ({
	tokens: values.length, median: quantile(values, 0.5), mean: mean(values), p90: quantile(values, 0.9), over15ms: values.filter(v => v > 15).length / values.length,
});
const split = await generationGaps();
const all = summary(split.gaps.allCores);
const fewer = summary(split.gaps.split);
const line = (label: string, s: ReturnType<typeof summary>) => `${label}: median ${s.median.toFixed(1)} ms, mean ${s.mean.toFixed(1)} ms, p90 ${s.p90.toFixed(1)} ms, ${(s.over15ms * 100).toFixed(0)}% of ${s.tokens} tokens over 15 ms`;
console.log(JSON.stringify({ generationGaps: { cores: split.cores, generationThreads: split.generationThreads, allCores: all, split: fewer } }));
console.log(line(`generating with all ${split.cores} threads`, all));
console.log(line(`generating with ${split.generationThreads} (prompts with ${split.cores})`, fewer));
console.log(`mean per generated token: ${(all.mean / fewer.mean).toFixed(1)}× lower with the split`);
