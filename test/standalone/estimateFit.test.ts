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

/**
 * A made-up Mixture-of-Experts model on plain numbers: 4 blocks of 1 GB of routed experts (8, 2 used
 * per token) and 0.1 GB of attention and shared expert each, a 0.2 GB output layer on the GPU when
 * any layer is, 0.1 GB of embeddings in RAM, and 10 KB of KV cache per token where the layers are.
 */
const blockBytes = 1.1 * GB;
const fourExpertBlocks: FitEstimates = {
	totalLayers: 5,
	trainContextSize: 32_768,
	modelBytes: 4 * blockBytes + 0.3 * GB,
	model: layers => {
		const gpuBlocks = Math.max(0, layers - 1);
		return { vram: (layers > 0 ? 0.2 * GB : 0) + gpuBlocks * blockBytes, ram: 0.1 * GB + (4 - gpuBlocks) * blockBytes + (layers > 0 ? 0 : 0.2 * GB) };
	},
	context: (contextSize, layers) => layers > 0 ? { vram: contextSize * 10e3, ram: 0 } : { vram: 0, ram: contextSize * 10e3 },
	experts: { bytesByLayer: [GB, GB, GB, GB], count: 8, used: 2 },
};

describe('estimateFit with experts in RAM (pure decision on per-layer expert and non-expert bytes)', () => {
	const gpu = (vramGB: number, ramGB = 32) => machine({ backend: 'cuda', vramTotal: (vramGB + 1) * GB, vramFree: vramGB * GB, ramTotal: ramGB * GB, ramFree: (ramGB - 2) * GB });
	const options = { targetContextSize: 8192, vramUsableShare: 1, canPlaceExperts: true };

	it('keeps everything on a GPU that holds it all', () => {
		const fit = estimateFit(fourExpertBlocks, gpu(5), options);
		assert.deepEqual([fit.level, fit.placement!.gpuLayers, fit.placement!.cpuExpertLayers, fit.placement!.expertLayers], ['gpu', 5, 0, 4]);
	});

	it('then every layer on the GPU with the experts of as few leading layers in RAM as needed', () => {
		// 4.68 GB with every expert on the GPU; the experts of 2 layers in RAM leave 2.68 GB of 3.
		const fit = estimateFit(fourExpertBlocks, gpu(3), options);
		assert.deepEqual([fit.level, fit.placement!.gpuLayers, fit.placement!.cpuExpertLayers, fit.placement!.contextSize], ['partialGpu', 5, 2, 8192]);
		const allOnGpu = 0.2 * GB + 4 * blockBytes + 8192 * 10e3;
		assert.ok(Math.abs(fit.placement!.vramBytes - (allOnGpu - 2 * GB)) < 1);
		assert.ok(Math.abs(fit.placement!.ramBytes - (0.1 * GB + 2 * GB)) < 1);
		assert.equal(fit.summary, 'Fits with experts in RAM: experts of 2 of 4 layers in RAM · 2.7 GB VRAM · 2.1 GB RAM, 8192-token context.');
		// The reserve comes off the free VRAM: 1 GB more reserved moves one more layer's experts.
		assert.equal(estimateFit(fourExpertBlocks, gpu(3), { ...options, vramReserveBytes: GB }).placement!.cpuExpertLayers, 3);
	});

	it('then layer offload, when even all experts in RAM leave too much for the GPU or the build cannot place them', () => {
		const tiny = estimateFit(fourExpertBlocks, gpu(0.5), options);
		assert.deepEqual([tiny.placement!.gpuLayers, tiny.placement!.cpuExpertLayers], [1, 0]);
		const layers = estimateFit(fourExpertBlocks, gpu(3), { ...options, canPlaceExperts: false });
		assert.deepEqual([layers.level, layers.placement!.gpuLayers, layers.placement!.cpuExpertLayers], ['partialGpu', 3, 0]);
		assert.match(layers.summary, /^Fits split between GPU and RAM: 3 of 5 layers on the GPU/);
		// Experts in RAM generate faster than whole layers in RAM: only 2 of 8 experts are read per token.
		const experts = estimateFit(fourExpertBlocks, gpu(3), options);
		assert.ok(experts.estimatedTokensPerSecond! > layers.estimatedTokensPerSecond! * 1.3, `${experts.estimatedTokensPerSecond} vs ${layers.estimatedTokensPerSecond}`);
	});

	it('judges a forced count as it is, and leaves dense models and builds without placement as before', () => {
		const forced = estimateFit(fourExpertBlocks, gpu(5), { ...options, cpuExpertLayers: 4 });
		assert.deepEqual([forced.level, forced.placement!.cpuExpertLayers], ['partialGpu', 4]);
		assert.ok(Math.abs(forced.placement!.vramBytes - (0.2 * GB + 4 * 0.1 * GB + 8192 * 10e3)) < 1);
		const dense = estimateFit(tenLayers, machine({ backend: 'cuda', vramTotal: 6 * GB, vramFree: 5 * GB, ramFree: 12 * GB }), { ...options, targetContextSize: 8192 });
		assert.equal(dense.placement!.cpuExpertLayers, undefined);
		assert.equal(dense.placement!.expertLayers, undefined);
	});

	it('refuses a split that fills more than 60% of RAM with weights read on every token, saying how much RAM it needs', () => {
		// 2.1 GB of RAM with 2 layers' experts there: within 60% of 4 GB, over 60% of 3 GB.
		assert.equal(estimateFit(fourExpertBlocks, machine({ backend: 'cuda', vramTotal: 3.4 * GB, vramFree: 3 * GB, ramTotal: 4 * GB, ramFree: 3.5 * GB }), options).level, 'partialGpu');
		const small = estimateFit(fourExpertBlocks, machine({ backend: 'cuda', vramTotal: 3.4 * GB, vramFree: 3 * GB, ramTotal: 3 * GB, ramFree: 2.9 * GB }), options);
		assert.equal(small.level, 'tooLarge');
		assert.equal(small.summary, "Too large for this machine's RAM: even with the whole GPU (experts of 2 of 4 layers in RAM · 2.6 GB VRAM · 2.1 GB RAM), more than 60% of the 3.0 GB of RAM would hold weights read on every token; the OS would page them out and generation would drop to a token or two per second. It needs about 4.0 GB of RAM with this GPU.");
		// Unified memory has no such split: the GPU's share is RAM too, counted once.
		const unified = estimateFit(fourExpertBlocks, machine({ backend: 'metal', unifiedMemory: true, vramTotal: 6 * GB, vramFree: 6 * GB, ramTotal: 8 * GB, ramFree: 7 * GB }), options);
		assert.equal(unified.level, 'gpu');
	});
});
