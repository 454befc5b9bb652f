import assert from 'node:assert/strict';
import { getLlama } from 'node-llama-cpp';
import { imageMarker, loadVisionAddon, VisionEngine } from '../../src/runtime';
import { colours, mostlyColouredPng } from '../models/vision/pngWriter';
import { ensureVisionFixture, visionAnswers } from '../models/vision/visionFixtures';

const prompt = `<s>[MODEL_SETTINGS]{"reasoning_effort": "none"}[/MODEL_SETTINGS][INST]${imageMarker}\nWhat is this?[/INST]`;

describe('VisionEngine (the mtmd addon in this process, after getLlama)', function () {
	this.timeout(120_000);

	it('loads lazily, answers in order, rejects an aborted request, and unloads when idle', async () => {
		const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
		const { modelPath, mmprojPath } = await ensureVisionFixture();
		const addon = loadVisionAddon();
		assert.ok(addon.backendDeviceCount() > 0, 'node-llama-cpp registered the backends the addon uses');
		const engine = new VisionEngine({ addon, modelPath, mmprojPath, threads: 2, contextSize: 2048, idleMs: 200 });
		try {
			assert.equal(engine.isLoaded, false);
			const texts: string[] = [];
			const [red, blue] = await Promise.all([
				engine.explain({ image: mostlyColouredPng(colours.red), prompt, onText: text => texts.push(`r${text}`) }),
				engine.explain({ image: mostlyColouredPng(colours.blue), prompt, onText: text => texts.push(`b${text}`) }),
			]);
			assert.equal(red.answer, visionAnswers.red);
			assert.equal(blue.answer, visionAnswers.blue);
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
			await llama.dispose();
		}
	});
});
