/*
 * Speculative decoding with a draft model (`bora.completion.draftModelPath`): milliseconds per
 * generated token through the completion engine without a draft and with one, runs alternating,
 * with the share of tokens that came from confirmed guesses. On benchDense the draft is the model
 * itself: every guess right and the draft as slow as the model, so the row shows what checking a
 * guess in the model's batch saves and what drafting costs; a real pair (Qwen2.5-Coder 0.5B for
 * 7B) drafts at about a tenth of the model's cost. Prints a table and JSON; asserts nothing.
 */
import { availableParallelism, cpus } from 'node:os';
import { CompletionEngine, completionWindow, createLlama, lineWindow, loadModel, type LoadedModel } from '../../src/runtime';
import { ensureBenchModel } from '../models/benchModels';
import { benchSourceText } from './editingSession';
import { quantile } from './statistics';

const runs = Number(process.env['BORA_BENCH_RUNS'] ?? 9);
const maxTokens = 48;

interface Row {
	readonly label: string;
	readonly msPerToken: number;
	readonly confirmedShare: number;
}

const handle = await createLlama({ gpu: 'off' });
const modelPath = await ensureBenchModel('benchDense');
const target = await loadModel(handle, { modelPath });
const draft = await loadModel(handle, { modelPath });
const source = benchSourceText();
const lines = source.split('\n');
const engines: Record<string, CompletionEngine> = {
	'no draft': new CompletionEngine(target, { threads: handle.threads, generationThreads: handle.generationThreads, contextSize: 4096 }),
	'benchDense drafting for itself': new CompletionEngine(target, { threads: handle.threads, generationThreads: handle.generationThreads, contextSize: 4096, draft }),
};
const samples: Record<string, { ms: number[]; confirmed: number; generated: number }> = Object.fromEntries(Object.keys(engines).map(key => [key, { ms: [], confirmed: 0, generated: 0 }]));
try {
	for (let run = -1; run < runs; run++) {
		// A different cursor line each run, the same one for every engine: a keystroke's cost after a jump.
		const line = 200 + run * 37;
		const prefix = lines.slice(0, line).join('\n') + '\n';
		const window = lineWindow(prefix, lines.slice(line).join('\n'), completionWindow);
		for (const [label, engine] of Object.entries(engines)) {
			const { stats } = await engine.complete({ ...window, maxTokens, fileName: 'source.js', timeBudgetMs: 60_000 });
			if (run < 0 || stats.generatedTokens < 2) {
				continue;
			}
			samples[label]!.ms.push(stats.generationMs / (stats.generatedTokens - 1));
			samples[label]!.confirmed += stats.draftTokens?.validated ?? 0;
			samples[label]!.generated += stats.generatedTokens;
		}
	}
} finally {
	for (const engine of Object.values(engines)) {
		await engine.dispose();
	}
	await draft.dispose();
	await (target as LoadedModel).dispose();
	await handle.llama.dispose();
}
const rows: Row[] = Object.entries(samples).map(([label, { ms, confirmed, generated }]) => ({ label, msPerToken: quantile(ms, 0.5), confirmedShare: generated ? confirmed / generated : 0 }));
const baseline = rows[0]!.msPerToken;
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical CPUs; benchDense, ${runs} requests of up to ${maxTokens} tokens each, engines alternating`);
console.log('| engine | ms per token (p50) | ratio to no draft | tokens from confirmed guesses |\n|---|---|---|---|');
for (const row of rows) {
	console.log(`| ${row.label} | ${row.msPerToken.toFixed(2)} | ${(row.msPerToken / baseline).toFixed(2)}× | ${(row.confirmedShare * 100).toFixed(0)} % |`);
}
console.log(JSON.stringify({ bench: 'draftModel', runs, maxTokens, rows }));
