import assert from 'node:assert/strict';
import { estimateFit, estimatesFromTable, tabulateEstimates, type FitEstimates, type HardwareInfo } from '../../src/runtime';

const GB = 1e9;

function machine(overrides: Partial<HardwareInfo>): HardwareInfo {
	return {
		backend: 'cpu', gpuNames: [], vramTotal: 0, vramFree: 0, unifiedMemory: false, ramTotal: 16 * GB, ramFree: 12 * GB,
		cpuCores: 8, cpuThreads: 16, cpuModel: 'test CPU', platform: 'linux', arch: 'x64', ...overrides,
	};
}

/**
 * A made-up 10-layer model: 1 GB of weights per layer plus 0.5 GB of embeddings that stay in RAM,
 * 100 KB of KV cache per token spread over the layers, and 0.3 GB of compute buffers in RAM.
 */
const tenLayers: FitEstimates = {
	totalLayers: 10,
	trainContextSize: 32_768,
	modelBytes: 10.5 * GB,
	model: layers => ({ vram: layers * GB, ram: (10 - layers) * GB + 0.5 * GB }),
	context: (contextSize, layers) => ({ vram: contextSize * 100e3 * layers / 10, ram: contextSize * 100e3 * (10 - layers) / 10 + 0.3 * GB }),
};

describe('estimateFit (pure decision from header estimates)', () => {
	it('puts every layer on a GPU that holds them all, with the target context', () => {
		const fit = estimateFit(tenLayers, machine({ backend: 'cuda', vramTotal: 16 * GB, vramFree: 14 * GB }), { targetContextSize: 8192 });
		assert.equal(fit.level, 'gpu');
		assert.equal(fit.basis, 'header');
		assert.deepEqual(fit.placement, { gpuLayers: 10, totalLayers: 10, contextSize: 8192, vramBytes: 10 * GB + 8192 * 100e3, ramBytes: 0.5 * GB + 0.3 * GB });
		assert.equal(fit.requiredBytes, fit.placement!.vramBytes + fit.placement!.ramBytes);
		assert.match(fit.summary, /all 10 layers, 8192-token context/);
		assert.ok(fit.estimatedTokensPerSecond! > 0);
	});

	it('shrinks the context before giving up full offload', () => {
		// 10.5 GB usable: 10 GB of layers leaves room for 4096 tokens (0.41 GB), not 8192 (0.82 GB).
		const fit = estimateFit(tenLayers, machine({ backend: 'cuda', vramTotal: 12 * GB, vramFree: 10.5 * GB }), { targetContextSize: 8192, vramUsableShare: 1 });
		assert.equal(fit.level, 'gpu');
		assert.equal(fit.placement!.contextSize, 4096);
	});

	it('splits layers between GPU and RAM when the GPU is too small, keeping the target context', () => {
		const fit = estimateFit(tenLayers, machine({ backend: 'cuda', vramTotal: 6 * GB, vramFree: 5 * GB, ramFree: 12 * GB }), { targetContextSize: 8192, vramUsableShare: 1 });
		assert.equal(fit.level, 'partialGpu');
		// 4 layers: 4 GB + 0.33 GB of KV ≤ 5 GB; 5 layers would need 5.41 GB.
		assert.equal(fit.placement!.gpuLayers, 4);
		assert.equal(fit.placement!.contextSize, 8192);
		assert.match(fit.summary, /4 of 10 layers on the GPU/);
	});

	it('runs on the CPU without a GPU, and only judges layers and context forced by settings', () => {
		const cpu = estimateFit(tenLayers, machine({ ramFree: 12 * GB }), { targetContextSize: 8192 });
		assert.equal(cpu.level, 'cpu');
		assert.equal(cpu.placement!.gpuLayers, 0);
		const gpu = machine({ backend: 'cuda', vramTotal: 16 * GB, vramFree: 14 * GB });
		const forced = estimateFit(tenLayers, gpu, { gpuLayers: 3, contextSize: 2048 });
		assert.deepEqual([forced.level, forced.placement!.gpuLayers, forced.placement!.contextSize], ['partialGpu', 3, 2048]);
		const tooBigContext = estimateFit(tenLayers, machine({ ramTotal: 16 * GB, ramFree: 12 * GB }), { contextSize: 1_000_000 });
		assert.equal(tooBigContext.level, 'tooLarge');
		assert.match(tooBigContext.summary, /1000000-token context/);
	});

	it('says tight when only closing programs would make room, and too large when nothing would', () => {
		const tight = estimateFit(tenLayers, machine({ ramTotal: 16 * GB, ramFree: 4 * GB }), { targetContextSize: 4096 });
		assert.equal(tight.level, 'tight');
		assert.equal(tight.placement!.contextSize, 1024, 'judged at the smallest context');
		assert.match(tight.summary, /Close other programs/);
		const tooLarge = estimateFit(tenLayers, machine({ ramTotal: 8 * GB, ramFree: 7 * GB }));
		assert.equal(tooLarge.level, 'tooLarge');
		assert.match(tooLarge.summary, /this machine has 8\.0 GB of RAM/);
	});

	it('counts GPU use against RAM on unified memory and a projector in RAM', () => {
		const unified = machine({ backend: 'metal', unifiedMemory: true, vramTotal: 12 * GB, vramFree: 12 * GB, ramTotal: 16 * GB, ramFree: 11 * GB });
		const fit = estimateFit(tenLayers, unified, { targetContextSize: 4096, vramUsableShare: 1 });
		// All 10 layers (10.41 GB VRAM) plus 0.8 GB of RAM exceed the 11 GB shared: fewer layers fit.
		assert.equal(fit.level, 'gpu', 'all layers fit at a smaller context');
		assert.ok(fit.placement!.vramBytes + fit.placement!.ramBytes <= 11 * GB);
		const roomy = machine({ ramTotal: 64 * GB, ramFree: 32 * GB });
		const withProjector = estimateFit(tenLayers, roomy, { targetContextSize: 4096, extraBytes: 2 * GB });
		assert.equal(withProjector.placement!.ramBytes, estimateFit(tenLayers, roomy, { targetContextSize: 4096 }).placement!.ramBytes + 2 * GB);
	});

	it('never asks for more context than the model was trained for, and gives the same fit from a stored table', () => {
		const short = { ...tenLayers, trainContextSize: 2048 };
		const gpu = machine({ backend: 'cuda', vramTotal: 16 * GB, vramFree: 14 * GB });
		const live = estimateFit(short, gpu, { targetContextSize: 8192 });
		assert.equal(live.placement!.contextSize, 2048);
		const stored = estimateFit(estimatesFromTable(JSON.parse(JSON.stringify(tabulateEstimates(short))) as ReturnType<typeof tabulateEstimates>), gpu, { targetContextSize: 8192 });
		assert.deepEqual(stored, live);
	});
});
