import assert from 'node:assert/strict';
import { checkFit, describeSuggestionMs, findCatalogEntry, fitsNow, forecastSuggestionMs, modelCatalog, type HardwareInfo } from '../../src/runtime';
import { runsWell } from '../../src/extension/models/describeModels';

const GiB = 1024 ** 3;

function machine(overrides: Partial<HardwareInfo>): HardwareInfo {
	return {
		backend: 'cpu', gpuNames: [], vramTotal: 0, vramFree: 0, unifiedMemory: false, ramTotal: 16 * GiB, ramFree: 12 * GiB,
		cpuCores: 8, cpuThreads: 16, cpuModel: 'test CPU', platform: 'linux', arch: 'x64', ...overrides,
	};
}

const entry = (id: string) => {
	const found = findCatalogEntry(id);
	assert.ok(found, id);
	return found;
};

describe('model catalog and fit', () => {
	it('has the models of the issue with roles, hf: URIs, licenses and mmproj where they see images', () => {
		const byRole = (role: string) => modelCatalog.filter(item => item.role === role).map(item => item.id);
		assert.deepEqual(byRole('completion'), ['qwen2.5-coder-1.5b', 'qwen2.5-coder-3b', 'qwen2.5-coder-7b']);
		assert.deepEqual(byRole('chat'), ['qwen3-coder-30b-a3b', 'qwen2.5-coder-3b-chat', 'devstral-small-2', 'mistral-small-4']);
		for (const item of modelCatalog) {
			assert.match(item.model.uri, /^(hf:|https:)/, item.id);
			assert.ok(item.license.length > 0 && item.model.sizeBytes > 0, item.id);
			assert.equal(item.vision, item.mmproj !== undefined, `${item.id}: mmproj exactly when it has vision`);
		}
		assert.equal(new Set(modelCatalog.map(item => item.id)).size, modelCatalog.length, 'unique ids');
	});

	it('puts a small model on an 8 GB GPU and splits a large one between GPU and RAM', () => {
		const gpu = machine({ backend: 'cuda', gpuNames: ['RTX'], vramTotal: 8 * GiB, vramFree: 7.5 * GiB, ramTotal: 32 * GiB, ramFree: 24 * GiB });
		assert.equal(checkFit(entry('qwen2.5-coder-7b'), gpu).level, 'gpu');
		const split = checkFit(entry('qwen3-coder-30b-a3b'), gpu);
		assert.equal(split.level, 'partialGpu');
		assert.match(split.summary, /% on the GPU/);
		assert.equal(checkFit(entry('mistral-small-4'), gpu).level, 'tooLarge');
	});

	it('runs on the CPU when there is no GPU, and says how much is missing otherwise', () => {
		const laptop = machine({ ramTotal: 8 * GiB, ramFree: 5 * GiB });
		assert.equal(checkFit(entry('qwen2.5-coder-1.5b'), laptop).level, 'cpu');
		const busy = checkFit(entry('qwen2.5-coder-7b'), machine({ ramTotal: 8 * GiB, ramFree: 2 * GiB }));
		assert.equal(busy.level, 'tight');
		assert.match(busy.summary, /Close other programs/);
		const devstral = checkFit(entry('devstral-small-2'), laptop);
		assert.equal(devstral.level, 'tooLarge');
		assert.match(devstral.summary, /needs 1\d\.\d GB/);
		assert.equal(fitsNow('cpu'), true);
		assert.equal(fitsNow('tight'), false);
	});

	it('offers Mistral Small 4 only with 80 GB or more of RAM + VRAM, counting unified memory once', () => {
		const small4 = entry('mistral-small-4');
		const ram64 = checkFit(small4, machine({ ramTotal: 64 * GiB, ramFree: 60 * GiB }));
		assert.equal(ram64.level, 'tooLarge');
		assert.match(ram64.summary, /at least 80\.0 GB/);
		const mac = machine({ backend: 'metal', unifiedMemory: true, vramTotal: 96 * GiB, vramFree: 90 * GiB, ramTotal: 128 * GiB, ramFree: 110 * GiB });
		assert.equal(checkFit(small4, mac).level, 'gpu');
		const mac64 = machine({ backend: 'metal', unifiedMemory: true, vramTotal: 48 * GiB, vramFree: 45 * GiB, ramTotal: 64 * GiB, ramFree: 60 * GiB });
		assert.equal(checkFit(small4, mac64).level, 'tooLarge', 'unified VRAM is not counted on top of the RAM');
		const strixHalo = machine({ backend: 'vulkan', unifiedMemory: true, vramTotal: 110 * GiB, vramFree: 100 * GiB, ramTotal: 128 * GiB, ramFree: 120 * GiB });
		assert.equal(checkFit(small4, strixHalo).level, 'gpu');
	});

	it('recommends Mistral Small 4 on a 24 GB GPU with 96 GB of RAM or more, and refuses it on 64 GB with the reason', () => {
		const small4 = entry('mistral-small-4');
		const desktop = (ramGiB: number) => machine({ backend: 'cuda', gpuNames: ['RTX 4090'], vramTotal: 24 * GiB, vramFree: 23.5 * GiB, ramTotal: ramGiB * GiB, ramFree: (ramGiB - 8) * GiB });
		for (const ram of [96, 128, 192]) {
			const fit = checkFit(small4, desktop(ram), { vramReserveBytes: GiB });
			assert.equal(fit.level, 'partialGpu', `${ram} GB`);
			assert.ok(runsWell({ entry: small4, fit }), `${ram} GB: runs well (${fit.estimatedTokensPerSecond} tokens/s)`);
		}
		// 64 GB of RAM + a 24 GB GPU reach 88 GB together, but 47.5 GB of experts would be read from RAM on every token.
		const tight = checkFit(small4, desktop(64), { vramReserveBytes: GiB });
		assert.equal(tight.level, 'tooLarge');
		assert.equal(tight.summary, "Too large for this machine's RAM: beside this GPU about 47.5 GB of experts stay in RAM and are read on every token, more than 60% of the 68.7 GB of RAM; the OS would page them out and generation would drop to a token or two per second. It needs about 80.0 GB of RAM with this GPU.");
		assert.equal(runsWell({ entry: small4, fit: tight }), false);
		// bora.gpu.reserveGiB counts: a reserve that leaves too little of the GPU tips 96 GB over too.
		assert.equal(checkFit(small4, desktop(96), { vramReserveBytes: 16 * GiB }).level, 'tooLarge');
		// A dense model of the same RAM share is not limited: only MoE splits are read this way.
		assert.equal(checkFit(entry('devstral-small-2'), machine({ backend: 'cuda', vramTotal: 8 * GiB, vramFree: 7.5 * GiB, ramTotal: 16 * GiB, ramFree: 14 * GiB })).level, 'partialGpu');
	});

	it('estimates generation from memory bandwidth: MoE models read only their active share', () => {
		const gpu = machine({ backend: 'cuda', vramTotal: 48 * GiB, vramFree: 46 * GiB, ramTotal: 64 * GiB, ramFree: 60 * GiB });
		const bandwidth = { gpu: 100e9, cpu: 10e9 };
		const dense = checkFit(entry('devstral-small-2'), gpu, { bandwidth });
		const moe = checkFit(entry('qwen3-coder-30b-a3b'), gpu, { bandwidth });
		assert.ok(dense.estimatedTokensPerSecond! > 0 && moe.estimatedTokensPerSecond! > dense.estimatedTokensPerSecond! * 5);
		const cpu = checkFit(entry('qwen2.5-coder-1.5b'), machine({}), { bandwidth });
		// 1.65 GB at 10 GB/s and 60% efficiency: about 3.6 tokens per second.
		assert.equal(cpu.estimatedTokensPerSecond, 3.6);
		assert.equal(checkFit(entry('mistral-small-4'), machine({})).estimatedTokensPerSecond, undefined);
	});

	it('reserves KV cache for the context it is asked for', () => {
		const base = checkFit(entry('qwen2.5-coder-7b'), machine({}), { contextTokens: 0, overheadBytes: 0 });
		assert.equal(base.requiredBytes, entry('qwen2.5-coder-7b').model.sizeBytes);
		const withContext = checkFit(entry('qwen2.5-coder-7b'), machine({}), { contextTokens: 1000, overheadBytes: 0 });
		assert.equal(withContext.requiredBytes - base.requiredBytes, 1000 * entry('qwen2.5-coder-7b').kvBytesPerToken);
	});

	it('turns measured speeds into a per-suggestion forecast', () => {
		assert.equal(forecastSuggestionMs({ promptTokensPerSecond: 1024, generationTokensPerSecond: 100 }), 740);
		assert.equal(describeSuggestionMs(347), '≈ 350 ms per suggestion on this machine');
		assert.equal(describeSuggestionMs(1_540), '≈ 1.5 s per suggestion on this machine');
	});
});
