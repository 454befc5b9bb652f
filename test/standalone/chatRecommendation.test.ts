import assert from 'node:assert/strict';
import { describeChatAdvice, runsWell, toTreeLabel } from '../../src/extension/models/describeModels';
import { bandwidthOf, checkFit, modelCatalog, type HardwareInfo } from '../../src/runtime';
import type { RecommendedModel } from '../../src/shared/protocol';

const GB = 1e9;
const machine = (overrides: Partial<HardwareInfo>): HardwareInfo => ({
	backend: 'cpu', gpuNames: [], vramTotal: 0, vramFree: 0, unifiedMemory: false, ramTotal: 25 * GB, ramFree: 20 * GB,
	cpuCores: 2, cpuThreads: 2, cpuModel: 'test CPU', platform: 'linux', arch: 'x64', ...overrides,
});
const chatModelsOn = (hardware: HardwareInfo): RecommendedModel[] =>
	modelCatalog.filter(entry => entry.role === 'chat').map(entry => ({ entry, fit: checkFit(entry, hardware) }));

describe('recommendations for chat on this machine', () => {
	it('the issue\'s 2-core, 25 GB machine gets a chat model that runs on it, named first in the section', () => {
		const models = chatModelsOn(machine({}));
		assert.deepEqual(models.filter(runsWell).map(model => model.entry.id), ['qwen2.5-coder-3b-chat']);
		const advice = describeChatAdvice(models, machine({}));
		assert.match(advice.text, /^Runs well here: Qwen2\.5-Coder 3B Instruct \(≈ \d+(\.\d)? tokens\/s\)$/);
		assert.equal(toTreeLabel(advice.text).label, 'Runs well here');
		const devstral = models.find(model => model.entry.id === 'devstral-small-2')!;
		assert.equal(devstral.fit.level, 'cpu', 'Devstral fits in RAM…');
		assert.ok(devstral.fit.estimatedTokensPerSecond! < 1, '…but answers at under a token per second on two cores');
	});

	it('a machine too small for every chat model is told that none runs well, and why', () => {
		const tiny = machine({ ramTotal: 4 * GB, ramFree: 1.5 * GB });
		const advice = describeChatAdvice(chatModelsOn(tiny), tiny);
		assert.equal(advice.text, 'None runs well here: each needs more memory than is free or answers under 4 tokens/s on this machine (2 CPU cores, 4.0 GB RAM, no GPU)');
		assert.equal(toTreeLabel(advice.text).label, 'None runs well here');
	});

	it('a large GPU machine runs the big ones too', () => {
		const big = machine({ backend: 'cuda', gpuNames: ['H100'], vramTotal: 80 * GB, vramFree: 78 * GB, ramTotal: 128 * GB, ramFree: 120 * GB, cpuCores: 16 });
		assert.deepEqual(chatModelsOn(big).filter(runsWell).map(model => model.entry.id), ['qwen3-coder-30b-a3b', 'qwen2.5-coder-3b-chat', 'devstral-small-2', 'mistral-small-4']);
	});

	it('the CPU speed estimate is capped by the cores: two cores read 16 GB/s, eight the whole 25 GB/s bus', () => {
		assert.equal(bandwidthOf({ cpuCores: 2 }).cpu, 16e9);
		assert.equal(bandwidthOf({ cpuCores: 8 }).cpu, 25e9);
	});
});
