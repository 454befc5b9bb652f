import assert from 'node:assert/strict';
import { getLlama } from 'node-llama-cpp';
import { imageMarker, loadVisionAddon, VisionEngine } from '../../src/runtime';
import { colours, mostlyColouredPng } from '../models/vision/pngWriter';
import { ensureVisionFixture, visionAnswers } from '../models/vision/visionFixtures';

const prompt = `<s>[MODEL_SETTINGS]{"reasoning_effort": "none"}[/MODEL_SETTINGS][INST]${imageMarker}\nWhat is this?[/INST]`;

describe('VisionEngine (the mtmd addon in this process, on the model node-llama-cpp loaded)', function () {
	this.timeout(120_000);

	it('loads lazily, answers in order, rejects an aborted request, and unloads when idle', async () => {
		const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
		const { modelPath, mmprojPath } = await ensureVisionFixture();
		const model = await llama.loadModel({ modelPath });
		const addon = loadVisionAddon('cpu');
		assert.ok(addon.backendDeviceCount() > 0, 'node-llama-cpp registered the backends the addon uses');
		assert.match(addon.libraryInfo().llamaLibrary, /\/libllama\.v[0-9.]+\.so$/, 'bound to the libllama node-llama-cpp loaded');
		const engine = new VisionEngine({ addon, model, mmprojPath, threads: 2, contextSize: 2048, idleMs: 200 });
		try {
			assert.equal(engine.isLoaded, false);
			const texts: string[] = [];
			const [red, blue] = await Promise.all([
				engine.explain({ image: mostlyColouredPng(colours.red), prompt, onText: text => texts.push(`r${text}`) }),
				engine.explain({ image: mostlyColouredPng(colours.blue), prompt, onText: text => texts.push(`b${text}`) }),
			]);
			assert.equal(red.answer, visionAnswers.red);
			assert.equal(blue.answer, visionAnswers.blue);
			assert.equal(red.encoderBackend, 'CPU');
			assert.deepEqual(texts, [`r${visionAnswers.red}`, `b${visionAnswers.blue}`]);
			assert.ok(red.loadMs > 0 && blue.loadMs === 0, 'the projector loaded once, on the first request');

			const abort = new AbortController();
			abort.abort(new Error('stopped'));
			await assert.rejects(engine.explain({ image: mostlyColouredPng(colours.red), prompt, signal: abort.signal }), /stopped/);

			const stopSoon = new AbortController();
			const running = engine.explain({ image: mostlyColouredPng(colours.red), prompt, signal: stopSoon.signal });
			stopSoon.abort(new Error('stopped while running'));
			await assert.rejects(running, /stopped while running/);
			assert.equal((await engine.explain({ image: mostlyColouredPng(colours.white), prompt })).answer, visionAnswers.white);

			assert.equal(engine.isLoaded, true);
			await new Promise(resolve => setTimeout(resolve, 600));
			assert.equal(engine.isLoaded, false, 'unloaded after the idle time');
			assert.equal((await engine.explain({ image: mostlyColouredPng(colours.blue), prompt })).answer, visionAnswers.blue, 'loads again on demand');
		} finally {
			await engine.dispose();
			await model.dispose();
			await llama.dispose();
		}
	});

	it('frees its projector and context before node-llama-cpp frees the model, even mid-answer, and then refuses', async () => {
		const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
		const { modelPath, mmprojPath } = await ensureVisionFixture();
		const model = await llama.loadModel({ modelPath });
		const addon = loadVisionAddon('cpu');
		const logs: string[] = [];
		const logger = { info: (line: string) => logs.push(line), warn: (line: string) => logs.push(line), error: (line: string) => logs.push(line) };
		const engine = new VisionEngine({ addon, model, mmprojPath, threads: 2, contextSize: 2048, logger });
		try {
			assert.equal((await engine.explain({ image: mostlyColouredPng(colours.red), prompt })).answer, visionAnswers.red);
			// A request under way when the model goes: it ends with a clear error, not a crash.
			const running = engine.explain({ image: mostlyColouredPng(colours.blue), prompt });
			const disposed = model.dispose();
			await assert.rejects(running, (error: Error & { code?: string }) => error.code === 'internal' && /unloaded or replaced/.test(error.message));
			await disposed;
			assert.ok(logs.includes('vision: projector and its context freed'), logs.join('\n'));
			assert.equal(engine.isLoaded, false);
			await assert.rejects(engine.explain({ image: mostlyColouredPng(colours.red), prompt }), /unloaded or replaced/);
		} finally {
			await engine.dispose();
			await model.dispose();
			await llama.dispose();
		}
	});

	it('never brings a second llama.cpp in: the CUDA addon is refused while node-llama-cpp runs its CPU build', async () => {
		const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
		try {
			assert.throws(() => loadVisionAddon('cuda'), (error: Error & { code?: string }) =>
				error.code === 'visionUnavailable' && /libllama\.cuda\.v[0-9.]+\.so is not loaded in this process/.test(error.message));
			assert.ok(loadVisionAddon('cpu').backendDeviceCount() > 0);
		} finally {
			await llama.dispose();
		}
	});

	it('refuses a model whose path is not the one node-llama-cpp loaded (the layout check), with a typed error', async () => {
		const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
		const { modelPath, mmprojPath } = await ensureVisionFixture();
		const model = await llama.loadModel({ modelPath });
		const addon = loadVisionAddon('cpu');
		const addonModel = (model as unknown as { _model: object })._model;
		try {
			await assert.rejects(addon.open({ model: addonModel, modelPath: `${modelPath}.other`, modelSize: model.size, mmprojPath, threads: 1, contextSize: 512, useGpu: false }),
				(error: Error & { code?: string }) => error.code === 'sharedModelUnavailable' && /another file/.test(error.message));
			await assert.rejects(addon.open({ model: addonModel, modelPath, modelSize: model.size + 1, mmprojPath, threads: 1, contextSize: 512, useGpu: false }),
				(error: Error & { code?: string }) => error.code === 'sharedModelUnavailable' && /expected size/.test(error.message));
			await assert.rejects(addon.open({ model: {}, modelPath, modelSize: model.size, mmprojPath, threads: 1, contextSize: 512, useGpu: false }),
				(error: Error & { code?: string }) => error.code === 'sharedModelUnavailable' && /not a node-llama-cpp model/.test(error.message));
		} finally {
			await model.dispose();
			await llama.dispose();
		}
	});
});
