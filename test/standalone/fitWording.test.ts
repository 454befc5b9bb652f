import assert from 'node:assert/strict';
import { describeState } from '../../src/extension/describeState';
import { describeFitDetails, describeRecommended } from '../../src/extension/models/describeModels';
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
});
