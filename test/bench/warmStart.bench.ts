/*
 * The first-request tax, before and after warm start, in one process on one model, rounds interleaved
 * so a noisy machine slows both alike:
 * - after a load: (a) the engine creates its context on the first request (as before); (b) it was
 *   warmed (`warmUp`, which the runtime starts right after "ready") before the first request; (c) as
 *   (b), and the focused document was evaluated ahead too (what `bora/editorContext` triggers);
 * - after the idle release: (a) the next request recreates the context; (b) the focused document was
 *   evaluated ahead (`prefill` with its window, which `bora/editorContext` triggers) first.
 * Also what the freed context held: the process's resident memory before and after creating it, and
 * node-llama-cpp's estimate. Prints a table and JSON; asserts nothing. `BORA_BENCH_QUICK=1` runs
 * fewer rounds; `BORA_BENCH_GPU=auto` uses the GPU.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CompletionEngine, completionWindow, createLlama, lineWindow, loadModel, type LlamaHandle } from '../../src/runtime';
import { ensureBenchModel } from '../models/benchModels';
import { benchSourceText } from './editingSession';
import { quantile } from './statistics';

const contextSize = 4096;
const rounds = process.env['BORA_BENCH_QUICK'] === '1' ? 3 : 7;
const gpu = process.env['BORA_BENCH_GPU'] === 'auto' ? 'auto' : 'off';
const idleReleaseMs = 100;

async function until(condition: () => boolean): Promise<void> {
	while (!condition()) {
		await delay(10);
	}
}

/** A request in the middle of a real-looking file, as the completion service cuts it. */
function requestAt(source: string): { prefix: string; suffix: string; maxTokens: number; fileName: string } {
	const offset = source.indexOf('\n', Math.floor(source.length / 2)) + 1;
	return { ...lineWindow(source.slice(0, offset), source.slice(offset), completionWindow), maxTokens: 16, fileName: 'src/bench.ts' };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
	const started = performance.now();
	const value = await work();
	return { ms: performance.now() - started, value };
}

type Start = 'lazy' | 'warm' | 'focused';

async function firstAfterLoad(handle: LlamaHandle, modelPath: string, start: Start): Promise<{ ms: number; warmUpMs: number; createMs: number | undefined; cached: number; rssMiB: number }> {
	const loaded = await loadModel(handle, { modelPath, contextSize });
	const engine = new CompletionEngine(loaded, { threads: handle.threads, generationThreads: handle.generationThreads, contextSize });
	try {
		const rssBefore = process.memoryUsage().rss;
		const warmUp = start === 'lazy' ? { ms: 0 } : await timed(async () => {
			await engine.warmUp();
			if (start === 'focused') {
				await engine.prefill(requestAt(benchSourceText()));
			}
		});
		const rssMiB = start === 'lazy' ? Number.NaN : (process.memoryUsage().rss - rssBefore) / 2 ** 20;
		const { ms, value } = await timed(() => engine.complete(requestAt(benchSourceText())));
		return { ms, warmUpMs: warmUp.ms, createMs: value.stats.contextCreateMs, cached: value.stats.cachedPromptTokens, rssMiB };
	} finally {
		await engine.dispose();
		await loaded.dispose();
	}
}

async function firstAfterRelease(engine: CompletionEngine, focused: boolean, step: number): Promise<{ ms: number; createMs: number | undefined; cached: number; rssFreedMiB: number }> {
	const source = `// edit ${step}\n${benchSourceText()}`;
	await engine.complete(requestAt(source));
	const rssHeld = process.memoryUsage().rss;
	await until(() => !engine.holdsContext);
	const rssFreedMiB = (rssHeld - process.memoryUsage().rss) / 2 ** 20;
	if (focused) {
		// What `bora/editorContext` on focus does: the focused document's prompt at its cursor, evaluated ahead.
		await engine.prefill({ ...requestAt(source) });
	}
	const { ms, value } = await timed(() => engine.complete(requestAt(source)));
	return { ms, createMs: value.stats.contextCreateMs, cached: value.stats.cachedPromptTokens, rssFreedMiB };
}

async function main(): Promise<void> {
	const handle = await createLlama({ gpu });
	const modelPath = await ensureBenchModel('benchDense');
	const probe = await loadModel(handle, { modelPath, contextSize });
	const estimate = probe.model.fileInsights.estimateContextResourceRequirements({ contextSize, sequences: 1, modelGpuLayers: probe.model.gpuLayers });
	await probe.dispose();

	const load: Record<Start, Awaited<ReturnType<typeof firstAfterLoad>>[]> = { lazy: [], warm: [], focused: [] };
	const starts: Start[] = ['lazy', 'warm', 'focused'];
	for (let round = 0; round < rounds; round++) {
		for (const start of round % 2 === 0 ? starts : [...starts].reverse()) {
			load[start].push(await firstAfterLoad(handle, modelPath, start));
		}
	}

	const loaded = await loadModel(handle, { modelPath, contextSize });
	const engine = new CompletionEngine(loaded, { threads: handle.threads, generationThreads: handle.generationThreads, contextSize, idleReleaseMs });
	const release = { lazy: [] as Awaited<ReturnType<typeof firstAfterRelease>>[], focused: [] as Awaited<ReturnType<typeof firstAfterRelease>>[] };
	let step = 0;
	for (let round = 0; round < rounds; round++) {
		for (const focused of round % 2 === 0 ? [false, true] : [true, false]) {
			(focused ? release.focused : release.lazy).push(await firstAfterRelease(engine, focused, step++));
		}
	}
	const createMs = [...release.lazy].map(sample => sample.createMs ?? Number.NaN);
	await engine.dispose();
	await loaded.dispose();

	const p50 = (values: readonly number[]) => Math.round(quantile(values, 0.5) * 10) / 10;
	const summary = {
		model: 'benchDense', gpu: handle.backend, threads: handle.threads, contextSize, rounds,
		afterLoad: {
			lazyFirstRequestP50Ms: p50(load.lazy.map(s => s.ms)),
			lazyContextCreateP50Ms: p50(load.lazy.map(s => s.createMs ?? Number.NaN)),
			warmFirstRequestP50Ms: p50(load.warm.map(s => s.ms)),
			warmUpP50Ms: p50(load.warm.map(s => s.warmUpMs)),
			focusedFirstRequestP50Ms: p50(load.focused.map(s => s.ms)),
			focusedWarmUpAndPrefillP50Ms: p50(load.focused.map(s => s.warmUpMs)),
			createdByRequestAfterWarmUp: [...load.warm, ...load.focused].filter(s => s.createMs !== undefined).length,
			contextRssP50MiB: p50(load.warm.map(s => s.rssMiB)),
		},
		afterIdleRelease: {
			lazyFirstRequestP50Ms: p50(release.lazy.map(s => s.ms)),
			recreateP50Ms: p50(createMs),
			focusedFirstRequestP50Ms: p50(release.focused.map(s => s.ms)),
			focusedCachedTokensP50: p50(release.focused.map(s => s.cached)),
			lazyCachedTokensP50: p50(release.lazy.map(s => s.cached)),
			rssFreedP50MiB: p50([...release.lazy, ...release.focused].map(s => s.rssFreedMiB)),
		},
		estimate: { cpuRamMiB: Math.round(estimate.cpuRam / 2 ** 20), gpuVramMiB: Math.round(estimate.gpuVram / 2 ** 20) },
	};
	console.table({
		'after load': { before: summary.afterLoad.lazyFirstRequestP50Ms, 'context warmed': summary.afterLoad.warmFirstRequestP50Ms, 'and focused file': summary.afterLoad.focusedFirstRequestP50Ms },
		'after idle release': { before: summary.afterIdleRelease.lazyFirstRequestP50Ms, 'and focused file': summary.afterIdleRelease.focusedFirstRequestP50Ms },
	});
	console.log(JSON.stringify(summary, null, 2));
	await handle.llama.dispose();
}

await main();
