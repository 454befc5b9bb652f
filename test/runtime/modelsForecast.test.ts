import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLlama, defaultRuntimeSettings, loadModel, PreemptedError, Runtime, Scheduler, type RuntimeState } from '../../src/runtime';
import { ForecastStore, forecastFileName, forecastKey, forecastKeyParts } from '../../src/runtime/forecast/ForecastStore';
import { measureSpeed } from '../../src/runtime/forecast/measureSpeed';
import { SpeedForecaster } from '../../src/runtime/forecast/SpeedForecaster';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';

type Ready = Extract<RuntimeState, { kind: 'ready' }>;

function ready(runtime: Runtime): Ready {
	const state = runtime.state;
	assert.equal(state.kind, 'ready', JSON.stringify(state));
	return state as Ready;
}

describe('speed forecast after load', function () {
	this.timeout(120_000);
	let model: string;
	let storageDir: string;

	before(async () => {
		model = await ensureFixtureModel('qwenFim');
		storageDir = await mkdtemp(join(tmpdir(), 'bora-forecast-'));
	});
	after(() => rm(storageDir, { recursive: true, force: true }));

	it('measures prompt and generation speed off the hot path, states a forecast and stores it per model and machine', async () => {
		await using runtime = new Runtime({ forecastDelayMs: 0 });
		await runtime.configure({ ...defaultRuntimeSettings, modelPath: model, gpu: 'off', threads: 1, storageDir });
		await runtime.whenForecastSettled();
		const { forecast } = ready(runtime);
		assert.ok(forecast, 'the ready state carries the forecast');
		assert.ok(forecast.promptTokensPerSecond > 0 && forecast.generationTokensPerSecond > 0);
		assert.ok(forecast.msPerSuggestion > 0);
		assert.match(forecast.summary, /^≈ [\d.]+ (ms|s) per suggestion on this machine$/);
		const stored = JSON.parse(await readFile(join(storageDir, forecastFileName), 'utf8')) as { entries: Record<string, unknown> };
		const keys = Object.keys(stored.entries);
		assert.equal(keys.length, 1);
		assert.ok(keys[0]!.startsWith(`${model}|`), keys[0]);
		assert.deepEqual(Object.values(stored.entries)[0], forecast);
		// Completion still works after the throwaway context was freed.
		assert.equal((await runtime.complete({ prefix: canonicalFim.prefix, suffix: canonicalFim.suffix })).text, canonicalFim.middle);
	});

	it('the next load of the same file on the same machine reuses the stored forecast at once', async () => {
		await using runtime = new Runtime({ forecastDelayMs: false });
		await runtime.configure({ ...defaultRuntimeSettings, modelPath: model, gpu: 'off', threads: 1, storageDir });
		const stored = JSON.parse(await readFile(join(storageDir, forecastFileName), 'utf8')) as { entries: Record<string, unknown> };
		assert.deepEqual(ready(runtime).forecast, Object.values(stored.entries)[0]);
	});

	it('a changed file or another thread count is measured again, not reused', async () => {
		await using runtime = new Runtime({ forecastDelayMs: false });
		await runtime.configure({ ...defaultRuntimeSettings, modelPath: model, gpu: 'off', threads: 2, storageDir });
		assert.equal(ready(runtime).forecast, undefined);
		const copy = join(storageDir, 'copy.gguf');
		await copyFile(model, copy);
		const machine = { backend: 'cpu', gpuNames: [], threads: 1, gpuLayers: 0, cpuExpertLayers: 0 } as const;
		const before = await forecastKeyParts(copy, machine);
		const later = new Date(Date.now() + 5_000);
		await utimes(copy, later, later);
		const after = await forecastKeyParts(copy, machine);
		assert.ok(before && after);
		assert.notEqual(forecastKey(before), forecastKey(after));
		assert.equal(await new ForecastStore(storageDir).get(after), undefined);
		assert.equal(await forecastKeyParts(join(storageDir, 'missing.gguf'), machine), undefined);
		// The same file with the experts of 4 layers in RAM is another split, measured on its own.
		const placed = await forecastKeyParts(copy, { ...machine, cpuExpertLayers: 4 });
		assert.ok(placed);
		assert.notEqual(forecastKey(placed), forecastKey(after));
		assert.equal(forecastKey({ ...placed, cpuExpertLayers: 0 }), forecastKey(after), 'no experts in RAM keeps the key forecasts were stored under before');
	});

	it('the key of a model loaded with its experts in RAM carries that placement, so it is measured as loaded', async () => {
		const handle = await createLlama({ gpu: 'off', threads: 1 });
		try {
			const moe = await ensureFixtureModel('mistral4Fim');
			await using placed = await loadModel(handle, { modelPath: moe, cpuExperts: '4' });
			// The fixture has one block: "4" is clamped to the experts it has.
			assert.deepEqual([placed.fit.placement?.cpuExpertLayers, placed.fit.placement?.expertLayers], [1, 1]);
			const placedKey = await SpeedForecaster.keyOf(handle, placed);
			await using whole = await loadModel(handle, { modelPath: moe });
			const wholeKey = await SpeedForecaster.keyOf(handle, whole);
			assert.ok(placedKey && wholeKey);
			assert.deepEqual([placedKey.cpuExpertLayers, wholeKey.cpuExpertLayers], [1, 0]);
			assert.notEqual(forecastKey(placedKey), forecastKey(wholeKey));
		} finally {
			await handle.llama.dispose();
		}
	});

	it('a completion arriving stops the measurement between chunks; a pending one stops it at once; a cancelled one stops too', async () => {
		const handle = await createLlama({ gpu: 'off', threads: 1 });
		try {
			await using loaded = await loadModel(handle, { modelPath: model });
			const scheduler = new Scheduler();
			const measuring = scheduler.run({ lane: 'background' }, job => measureSpeed(loaded.model, { threads: 1, job }));
			// Arrives while the measurement is under way (it has started creating its context).
			const completion = scheduler.enter({ lane: 'interactive', clientId: 'window-1' });
			await assert.rejects(measuring, (error: unknown) => error instanceof PreemptedError && error.lane === 'background' && error.by.lane === 'interactive' && error.by.clientId === 'window-1');
			await assert.rejects(scheduler.run({ lane: 'background' }, job => measureSpeed(loaded.model, { threads: 1, job })), PreemptedError);
			completion.end();
			await assert.rejects(measureSpeed(loaded.model, { threads: 1, signal: AbortSignal.abort() }));
			const speeds = await scheduler.run({ lane: 'background' }, job => measureSpeed(loaded.model, { threads: 1, job, promptTokens: 64, generatedTokens: 4 }));
			assert.ok(speeds.promptTokensPerSecond > 0 && speeds.generationTokensPerSecond > 0);
		} finally {
			await handle.llama.dispose();
		}
	});

	it('completions right after a load are not delayed by a waiting measurement', async () => {
		await using runtime = new Runtime({ forecastDelayMs: 50 });
		await runtime.configure({ ...defaultRuntimeSettings, modelPath: model, gpu: 'off', threads: 1 });
		const results = await Promise.all([1, 2, 3].map(() => runtime.complete({ prefix: canonicalFim.prefix, suffix: canonicalFim.suffix })));
		assert.ok(results.every(result => result.text === canonicalFim.middle));
		await runtime.whenForecastSettled();
		assert.ok(ready(runtime).forecast, 'measured once completions were quiet');
	});
});

describe('settings override context size and GPU layers', function () {
	this.timeout(120_000);
	let model: string;

	before(async () => {
		model = await ensureFixtureModel('qwenFim');
	});

	it('bora.contextSize reaches the completion context: a long prompt is cut to fit it', async () => {
		const prefix = `${'const value = 1;\n'.repeat(800)}${canonicalFim.prefix}`;
		const promptTokens = async (contextSize: number) => {
			await using runtime = new Runtime({ forecastDelayMs: false });
			await runtime.configure({ ...defaultRuntimeSettings, modelPath: model, gpu: 'off', threads: 1, contextSize });
			return (await runtime.complete({ prefix, suffix: canonicalFim.suffix, maxTokens: 8 })).stats.promptTokens;
		};
		const small = await promptTokens(256);
		assert.ok(small <= 256, `prompt of ${small} tokens fits a 256-token context`);
		const automatic = await promptTokens(0);
		assert.ok(automatic > 256, `the automatic context holds more: ${automatic} tokens`);
	});

	it('bora.gpuLayers 0 loads on the CPU, and changing it reloads', async () => {
		await using runtime = new Runtime({ forecastDelayMs: false });
		const states: RuntimeState[] = [];
		runtime.onDidChangeState(state => states.push(state));
		await runtime.configure({ ...defaultRuntimeSettings, modelPath: model, gpu: 'auto', threads: 1, gpuLayers: -1 });
		ready(runtime);
		states.length = 0;
		await runtime.configure({ ...defaultRuntimeSettings, modelPath: model, gpu: 'auto', threads: 1, gpuLayers: 0 });
		assert.equal(ready(runtime).gpuLayers, 0);
		assert.ok(states.some(state => state.kind === 'loading'), 'a new gpuLayers value reloads the model');
		assert.equal((await runtime.complete({ prefix: canonicalFim.prefix, suffix: canonicalFim.suffix })).text, canonicalFim.middle);
	});
});
