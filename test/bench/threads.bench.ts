/*
 * Why Bora sets thread counts itself: generation speed with one thread per physical core (Bora's
 * default) against node-llama-cpp's CPU default of at least 4 threads, in one process on one model.
 * Prints tokens per second and the ratio; asserts nothing (speed belongs in benchmarks, not tests).
 */
import { availableParallelism } from 'node:os';
import { CompletionEngine, createLlama, loadModel } from '../../src/runtime';
import { endlessFim, ensureFixtureModel } from '../models/fixtures';

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
