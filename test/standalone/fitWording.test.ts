import assert from 'node:assert/strict';
import { describeState } from '../../src/extension/describeState';
import { describeFitDetails, describePlacement, describeRecommended } from '../../src/extension/models/describeModels';
import { describeExpertPlacement } from '../../src/shared/expertPlacementText';
import { checkFit, findCatalogEntry, type HardwareInfo, type ModelFit } from '../../src/runtime';
import type { ModelInfo } from '../../src/shared/protocol';

const GB = 1e9;
const hardware: HardwareInfo = {
	backend: 'cpu', gpuNames: [], vramTotal: 0, vramFree: 0, unifiedMemory: false, ramTotal: 16 * GB, ramFree: 12 * GB,
	cpuCores: 8, cpuThreads: 16, cpuModel: 'test CPU', platform: 'linux', arch: 'x64',
};
const headerFit: ModelFit = {
	level: 'partialGpu', requiredBytes: 6 * GB, summary: 'Fits split between GPU and RAM.', basis: 'header',
	placement: { gpuLayers: 20, totalLayers: 28, contextSize: 8192, vramBytes: 5 * GB, ramBytes: 1 * GB },
};

describe('fit wording in the Models view and the status bar', () => {
	const entry = findCatalogEntry('qwen2.5-coder-7b')!;

	it('labels a catalog estimate as preliminary until the header was read', () => {
		const preliminary = checkFit(entry, hardware);
		assert.equal(preliminary.basis, 'catalog');
		assert.match(describeRecommended({ entry, fit: preliminary }), /preliminary fit/);
		assert.match(describeFitDetails(preliminary), /^Preliminary estimate from the catalog sizes: .*Check Fit on This Machine/);
	});

	it('shows GPU layers, context and memory for a header-based fit', () => {
		assert.match(describeRecommended({ entry, fit: headerFit }), /GPU 20\/28 layers · 8192 ctx/);
		assert.doesNotMatch(describeRecommended({ entry, fit: headerFit }), /preliminary/);
		assert.match(describeFitDetails(headerFit), /From the GGUF header.*20 of 28 layers on the GPU, 8192-token context, 5\.0 GB VRAM \+ 1\.0 GB RAM/);
	});

	it('puts the chosen GPU layers and context in the ready details', () => {
		const model: ModelInfo = {
			name: 'Qwen', path: '/m/q.gguf', architecture: 'qwen2', sizeBytes: 5 * GB, trainContextSize: 32768,
			hasChatTemplate: true, fim: { supported: true, format: 'qwen' }, reasoning: { supported: false, reason: 'No reasoning.' },
		};
		const ready = describeState({ kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cuda', threads: 8, loadMs: 1, gpuLayers: 20, contextSize: 4096, fit: headerFit } }, true);
		assert.ok(ready.details.includes('Placement: 20 of 28 layers on the GPU · 4,096-token context (split between GPU and RAM)'), ready.details.join('\n'));
		const cpu = describeState({ kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cpu', threads: 2, loadMs: 1, gpuLayers: 0 } }, true);
		assert.ok(cpu.details.includes('Placement: on the CPU (no GPU layers)'), cpu.details.join('\n'));
	});

	it('shows where a Mixture-of-Experts model\'s experts go, in the Models view and the ready details', () => {
		const small4 = findCatalogEntry('mistral-small-4')!;
		const placement = { gpuLayers: 37, totalLayers: 37, contextSize: 8192, vramBytes: 19.2 * GB, ramBytes: 49.5 * GB, expertLayers: 36, cpuExpertLayers: 27 };
		const moeFit: ModelFit = { level: 'partialGpu', requiredBytes: 68.7 * GB, summary: 'Fits with experts in RAM.', basis: 'header', placement };
		assert.equal(describeRecommended({ entry: small4, fit: moeFit }), '68.0 GB · experts of 27 of 36 layers in RAM · 19.2 GB VRAM · 49.5 GB RAM · 8192 ctx');
		assert.match(describeFitDetails(moeFit), /37 of 37 layers on the GPU, 8192-token context, 19\.2 GB VRAM \+ 49\.5 GB RAM\. Routed experts: experts of 27 of 36 layers in RAM · 19\.2 GB VRAM · 49\.5 GB RAM\.$/);
		const model: ModelInfo = {
			name: 'Mistral Small 4', path: '/m/s4.gguf', architecture: 'mistral4', sizeBytes: 67.2 * GB, trainContextSize: 262_144, experts: { count: 128, used: 4 },
			hasChatTemplate: true, fim: { supported: false, reason: 'No FIM tokens.' }, reasoning: { supported: true, family: 'mistral4', canTurnOff: true },
		};
		const ready = describeState({ kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cuda', threads: 8, loadMs: 1, gpuLayers: 37, contextSize: 8192, fit: moeFit } }, true);
		assert.ok(ready.details.includes('Experts: experts of 27 of 36 layers in RAM · 19.2 GB VRAM · 49.5 GB RAM'), ready.details.join('\n'));
		// Every placement a fit can make, and nothing for a dense model.
		assert.equal(describeExpertPlacement({ ...placement, cpuExpertLayers: 36 }), 'experts of all 36 layers in RAM · 19.2 GB VRAM · 49.5 GB RAM');
		assert.equal(describeExpertPlacement({ ...placement, cpuExpertLayers: 0 }), 'all experts on the GPU · 19.2 GB VRAM · 49.5 GB RAM');
		assert.equal(describeExpertPlacement({ ...placement, gpuLayers: 12, cpuExpertLayers: 0 }), 'layer offload: 12 of 37 layers on the GPU · 19.2 GB VRAM · 49.5 GB RAM');
		assert.equal(describeExpertPlacement({ ...placement, gpuLayers: 30, cpuExpertLayers: 4 }), 'experts of 4 of 36 layers in RAM · 30 of 37 layers on the GPU · 19.2 GB VRAM · 49.5 GB RAM');
		assert.equal(describeExpertPlacement({ ...placement, gpuLayers: 0, cpuExpertLayers: 0 }), '', 'nothing to place on the CPU');
		assert.equal(describePlacement({ ...placement, gpuLayers: 0, cpuExpertLayers: 0 }), 'CPU · 8192 ctx');
		assert.equal(describePlacement({ gpuLayers: 20, totalLayers: 28, contextSize: 8192, vramBytes: 5 * GB, ramBytes: GB }), 'GPU 20/28 layers · 8192 ctx');
		assert.equal(describeExpertPlacement({ gpuLayers: 20, totalLayers: 28, contextSize: 8192, vramBytes: 5 * GB, ramBytes: GB }), '');
	});
});
