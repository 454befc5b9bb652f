import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	checkFileFit, checkRemoteFit, createLlama, downloadModel, estimateFit, EstimateTableStore, fitEstimatesFromInsights, ModelStore, readHeaderInsights, RuntimeError,
	type FitEstimates, type HardwareInfo, type LlamaHandle,
} from '../../src/runtime';
import { ensureBenchModel } from '../models/benchModels';
import { ensureFixtureModel } from '../models/fixtures';
import { ModelFileServer } from '../support/ModelFileServer';

const MB = 1e6;
const GB = 1e9;

function machine(overrides: Partial<HardwareInfo>): HardwareInfo {
	return {
		backend: 'cpu', gpuNames: [], vramTotal: 0, vramFree: 0, unifiedMemory: false, ramTotal: 16 * GB, ramFree: 12 * GB,
		cpuCores: 8, cpuThreads: 16, cpuModel: 'test CPU', platform: 'linux', arch: 'x64', ...overrides,
	};
}

describe('header-based fit with node-llama-cpp insights (fixture GGUFs, local HTTP server on 127.0.0.1)', function () {
	this.timeout(60_000);
	let handle: LlamaHandle;
	let server: ModelFileServer;
	let benchPath: string;
	let bench: FitEstimates;
	let gguf: Buffer;
	let storageDir: string;

	before(async () => {
		handle = await createLlama({ gpu: 'off', threads: 1 });
		// The dense benchmark model (4 blocks + output = 5 layers, ≈ 40 MB of weights, trained for 8192 tokens) makes the splits visible.
		benchPath = await ensureBenchModel('benchDense');
		bench = fitEstimatesFromInsights(await readHeaderInsights(handle.llama, benchPath));
		gguf = await readFile(await ensureFixtureModel('qwenFim'));
		server = new ModelFileServer();
		await server.start();
	});
	after(async () => {
		await server.stop();
		await handle.llama.dispose();
	});
	beforeEach(async () => {
		storageDir = await mkdtemp(join(tmpdir(), 'bora-fit-'));
		server.reset();
	});
	afterEach(() => rm(storageDir, { recursive: true, force: true }));

	it('reads layers, trained context and weight size from the header', async () => {
		assert.equal(bench.totalLayers, 5);
		assert.equal(bench.trainContextSize, 8192);
		const fileBytes = (await stat(benchPath)).size;
		assert.ok(bench.modelBytes > fileBytes * 0.9 && bench.modelBytes <= fileBytes, `${bench.modelBytes} of ${fileBytes}`);
		const offloaded = bench.model(5);
		assert.ok(offloaded.vram > fileBytes * 0.9, 'all layers offloaded put the weights in VRAM');
		assert.ok(bench.context(8192, 0).ram > bench.context(1024, 0).ram, 'a larger context needs more memory');
	});

	it('fits the real estimates to several made-up machines', () => {
		const roomyGpu = estimateFit(bench, machine({ backend: 'cuda', vramTotal: 24 * GB, vramFree: 20 * GB }), { targetContextSize: 8192 });
		assert.deepEqual([roomyGpu.level, roomyGpu.placement?.gpuLayers, roomyGpu.placement?.contextSize], ['gpu', 5, 8192]);

		// VRAM for the full context and about two layers, not all five (and the context may not shrink to make room).
		const twoLayers = bench.model(2).vram + bench.context(8192, 2).vram;
		const smallGpu = estimateFit(bench, machine({ backend: 'cuda', vramTotal: 1 * GB, vramFree: twoLayers + 1 }), { targetContextSize: 8192, minContextSize: 8192, vramUsableShare: 1 });
		assert.equal(smallGpu.level, 'partialGpu');
		assert.equal(smallGpu.placement?.gpuLayers, 2);

		const cpu = estimateFit(bench, machine({ ramFree: 8 * GB }), { targetContextSize: 8192 });
		assert.deepEqual([cpu.level, cpu.placement?.gpuLayers, cpu.placement?.contextSize], ['cpu', 0, 8192]);

		// RAM for the weights and a 2048-token context, not 4096.
		const room = bench.model(0).ram + bench.context(2048, 0).ram;
		const shortContext = estimateFit(bench, machine({ ramFree: room + 1 }), { targetContextSize: 8192 });
		assert.deepEqual([shortContext.level, shortContext.placement?.contextSize], ['cpu', 2048]);

		// Less RAM in all than the weights alone.
		assert.equal(estimateFit(bench, machine({ ramTotal: bench.modelBytes / 2, ramFree: bench.modelBytes / 4 }), {}).level, 'tooLarge');
	});

	it('checks a local file with its projector counted', async () => {
		const fit = await checkFileFit(handle.llama, benchPath, machine({ ramFree: 8 * GB }), { targetContextSize: 4096 });
		assert.equal(fit.basis, 'header');
		assert.deepEqual([fit.level, fit.placement?.contextSize, fit.placement?.totalLayers], ['cpu', 4096, 5]);
		const mmprojPath = await ensureFixtureModel('qwenFim');
		const withProjector = await checkFileFit(handle.llama, benchPath, machine({ ramFree: 8 * GB }), { targetContextSize: 4096, mmprojPath });
		assert.equal(withProjector.placement!.ramBytes - fit.placement!.ramBytes, gguf.length);
	});

	it('reads a remote header over HTTP with Range requests only, and reuses the stored estimates', async () => {
		server.files.set('/qwen.gguf', { body: gguf });
		const store = new EstimateTableStore(storageDir);
		const hardware = machine({ ramFree: 8 * GB });
		const fit = await checkRemoteFit(handle.llama, server.url('/qwen.gguf'), hardware, { store });
		const local = await checkFileFit(handle.llama, await ensureFixtureModel('qwenFim'), hardware);
		assert.equal(fit.basis, 'header');
		assert.deepEqual(fit.placement, local.placement, 'the same fit as from the file on disk');
		assert.ok(server.bodyRequests.length > 0 && server.bodyRequests.every(request => request.range), JSON.stringify(server.requests));
		assert.ok(server.sentBytes < gguf.length, `only the header was fetched: ${server.sentBytes} of ${gguf.length} bytes`);

		const requests = server.requests.length;
		const again = await checkRemoteFit(handle.llama, server.url('/qwen.gguf'), hardware, { store });
		assert.deepEqual(again, fit);
		assert.equal(server.requests.length, requests, 'no network access for a header read before');
		const tooSmall = await checkRemoteFit(handle.llama, server.url('/qwen.gguf'), machine({ ramTotal: 50 * MB, ramFree: 40 * MB }), { store });
		assert.equal(tooSmall.level, 'tooLarge', 'the stored estimates are fitted to the memory of the moment');
	});

	it('refuses a model that cannot fit before downloading its body', async () => {
		server.files.set('/qwen.gguf', { body: gguf });
		const store = new ModelStore(storageDir);
		const tiny = machine({ ramTotal: 50 * MB, ramFree: 40 * MB });
		const download = downloadModel(handle.llama, store, {
			id: 'too-large', name: 'Too large', uri: server.url('/qwen.gguf'),
			checkFit: signal => checkRemoteFit(handle.llama, server.url('/qwen.gguf'), tiny, { signal }),
		});
		await assert.rejects(download, (error: unknown) => {
			assert.ok(error instanceof RuntimeError, String(error));
			assert.equal(error.code, 'modelTooLarge');
			assert.match(error.message, /Too large was not downloaded|does not fit/);
			assert.match(error.action, /smaller/);
			return true;
		});
		assert.ok(server.sentBytes < gguf.length, `only the header was fetched: ${server.sentBytes} of ${gguf.length} bytes`);
		assert.deepEqual(await store.list(), []);

		// On a machine where it fits, the same check lets the download through.
		const model = await downloadModel(handle.llama, store, {
			id: 'fits', uri: server.url('/qwen.gguf'),
			checkFit: signal => checkRemoteFit(handle.llama, server.url('/qwen.gguf'), machine({ ramFree: 8 * GB }), { signal }),
		});
		assert.deepEqual(await readFile(model.modelPath), gguf);
	});
});
