import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	createLlama, decideExpertPlacement, RuntimeError, estimatesFromTable, fitEstimatesFromInsights, planExpertPlacement, readHeaderInsights, tabulateEstimates,
	type ExpertPlacementInput, type FitEstimates, type HardwareInfo, type LlamaHandle,
} from '../../src/runtime';
import { ensureBenchModel } from '../models/benchModels';
import { mistralSmall4Shape, writeMistralSmall4Header } from '../models/mistralSmall4Header';
import { rejectsWithRuntimeError } from '../support/rejectsWith';

const GB = 1e9;
const GiB = 1024 ** 3;

/**
 * A desktop with a discrete GPU: the desktop holds half a GiB of VRAM, the OS, VS Code and a browser
 * 8 GiB of RAM. Sizes as sold (GiB).
 */
function desktop(vramGiB: number, ramGiB: number): HardwareInfo {
	return {
		backend: 'cuda', gpuNames: ['test GPU'], vramTotal: vramGiB * GiB, vramFree: (vramGiB - 0.5) * GiB, unifiedMemory: false,
		ramTotal: ramGiB * GiB, ramFree: (ramGiB - 8) * GiB, cpuCores: 8, cpuThreads: 16, cpuModel: 'test CPU', platform: 'linux', arch: 'x64',
	};
}

describe('expert placement planned from a Mistral Small 4 header (128 experts, 36 layers, Q4_K_M tensor table, no weights)', function () {
	this.timeout(60_000);
	let handle: LlamaHandle;
	let dir: string;
	let modelPath: string;
	let small4: FitEstimates;

	before(async () => {
		handle = await createLlama({ gpu: 'off', threads: 1 });
		dir = await mkdtemp(join(tmpdir(), 'bora-experts-'));
		modelPath = join(dir, 'mistral-small-4-header.gguf');
		await writeMistralSmall4Header(modelPath);
		small4 = fitEstimatesFromInsights(await readHeaderInsights(handle.llama, modelPath));
	});
	after(async () => {
		await handle.llama.dispose();
		await rm(dir, { recursive: true, force: true });
	});

	/** The plan `auto` makes on a machine, with the 1 GiB default reserve and node-llama-cpp's padding for that GPU. */
	const plan = (hardware: HardwareInfo, overrides: Partial<ExpertPlacementInput> = {}) => decideExpertPlacement({
		estimates: small4, hardware, setting: 'auto', gpuLayers: 'auto', reserveBytes: GiB, canPlaceExperts: true,
		vramPaddingBytes: Math.min(hardware.vramTotal * 0.06, GiB), modelName: 'mistral-small-4-header.gguf', ...overrides,
	});

	it('counts the routed experts per layer from the tensor table: 1.8 GB in each of 36 layers, 97% of the 67.2 GB', async () => {
		assert.equal((await stat(modelPath)).size > 67 * GB, true, 'the sparse file is as large as its header says');
		const experts = small4.experts;
		assert.ok(experts);
		assert.equal(experts.bytesByLayer.length, mistralSmall4Shape.blocks);
		// gate, up and down of 128 experts at 4096 × 2048, Q4_K (144 bytes per 256 weights); shared experts and the router not counted.
		const perLayer = 3 * 4096 * 2048 * 128 * 144 / 256;
		assert.ok(experts.bytesByLayer.every(bytes => bytes === perLayer));
		assert.deepEqual([experts.count, experts.used], [128, 4]);
		assert.equal(small4.totalLayers, 37, '36 blocks and the output layer');
		assert.ok(Math.abs(small4.modelBytes - 67.2 * GB) < 0.1 * GB, `${small4.modelBytes}`);
		const roundTrip = estimatesFromTable(tabulateEstimates(small4, [8192]));
		assert.deepEqual(roundTrip.experts, experts, 'stored estimate tables keep the experts');
	});

	it('keeps the experts of as few leading layers in RAM as the GPU needs: 31, 27 and 14 of 36 for 16, 24 and 48 GB', () => {
		const chosen = (vram: number, ram: number) => {
			const result = plan(desktop(vram, ram));
			assert.equal(result.gpuLayers, 37, 'every layer on the GPU');
			return result.cpuExpertLayers;
		};
		assert.equal(chosen(16, 128), 31);
		assert.equal(chosen(24, 128), 27);
		assert.equal(chosen(24, 96), 27);
		assert.equal(chosen(48, 128), 14);
		assert.equal(chosen(48, 64), 14, 'a 48 GB GPU leaves only 26 GB in RAM: 64 GB is enough');
		const summary = plan(desktop(24, 128)).summary;
		assert.match(summary, /^experts of 27 of 36 layers in RAM · 19\.\d GB VRAM · 49\.\d GB RAM$/);
		const vram = plan(desktop(24, 128)).vramBytes!;
		assert.ok(vram <= 23.5 * GiB * 0.9 - 2 * GiB, 'within the free VRAM less padding and the reserve');
	});

	it('a larger reserve moves more experts to RAM; a GPU that holds everything keeps them all', () => {
		assert.equal(plan(desktop(24, 128), { reserveBytes: 4 * GiB }).cpuExpertLayers, 29);
		const huge = plan(desktop(96, 128));
		assert.deepEqual([huge.cpuExpertLayers, huge.gpuLayers], [0, 37]);
		assert.match(huge.summary, /^all experts on the GPU · 68\.\d GB VRAM · 5\d\d MB RAM$/);
	});

	it('refuses when RAM is too small for what the GPU cannot hold, with the reason and what it needs', () => {
		const refused = (hardware: HardwareInfo, pattern: RegExp) => assert.throws(() => plan(hardware), (error: unknown) => {
			rejectsWithRuntimeError('modelTooLarge', pattern)(error);
			assert.match((error as RuntimeError).action, /set bora\.moe\.cpuExperts to a number of layers to load it anyway/);
			return true;
		});
		// 64 GB beside a 24 GB GPU: even the whole GPU leaves 45.9 GB of experts to read from RAM on every token.
		refused(desktop(24, 64), /does not fit this machine: Too large for this machine's RAM: even with the whole GPU \(experts of 25 of 36 layers in RAM · 22\.0 GB VRAM · 45\.9 GB RAM\), more than 60% of the 68\.7 GB of RAM would hold weights read on every token; the OS would page them out.*It needs about 77\.0 GB of RAM with this GPU\./);
		refused(desktop(16, 64), /experts of 29 of 36 layers in RAM/);
		// 32 GB cannot hold it at all.
		refused(desktop(24, 32), /Too large/);
		// A count the user set is tried anyway, every layer on the GPU.
		const insisted = plan(desktop(24, 64), { setting: '30' });
		assert.deepEqual([insisted.cpuExpertLayers, insisted.gpuLayers, insisted.summary], [30, 37, 'experts of 30 of 36 layers in RAM · more than the fit expects to fit']);
		const none = plan(desktop(24, 64), { setting: '0' });
		assert.deepEqual([none.cpuExpertLayers, none.gpuLayers], [0, 'auto'], '"0": whole layers, as the load chooses them');
	});

	it('sizes a forced setting instead of choosing, and falls back to layer offload where experts cannot be placed', () => {
		const all = plan(desktop(24, 128), { setting: 'all' });
		assert.deepEqual([all.cpuExpertLayers, all.gpuLayers], [36, 37]);
		assert.match(all.summary, /^experts of all 36 layers in RAM · /);
		assert.equal(plan(desktop(48, 128), { setting: '30' }).cpuExpertLayers, 30);
		const none = plan(desktop(24, 128), { canPlaceExperts: false });
		assert.equal(none.cpuExpertLayers, 0);
		assert.ok(typeof none.gpuLayers === 'number' && none.gpuLayers > 0 && none.gpuLayers < 37, `layer offload: ${none.gpuLayers}`);
		assert.match(none.summary, /^layer offload: \d+ of 37 layers on the GPU · /);
		assert.equal(plan(desktop(24, 128), { setting: '4', canPlaceExperts: false }).cpuExpertLayers, 0, 'a build that cannot place experts loads whole layers');
	});

	it('planExpertPlacement reads the header and this machine: on the CPU nothing goes to a GPU, and 67 GB does not fit here', async () => {
		const onThisMachine = planExpertPlacement({ modelPath, setting: 'auto', gpuLayers: 'auto', reserveBytes: GiB, canPlaceExperts: true, llama: handle.llama });
		await assert.rejects(onThisMachine, rejectsWithRuntimeError('modelTooLarge', /mistral-small-4-header\.gguf does not fit this machine: Too large: needs 6\d\.\d GB/));
	});

	it('leaves a dense model as it is, with an empty summary', async () => {
		const dense = await planExpertPlacement({ modelPath: await ensureBenchModel('benchDense'), setting: '4', gpuLayers: 'auto', reserveBytes: GiB, canPlaceExperts: true, llama: handle.llama });
		assert.deepEqual(dense, { cpuExpertLayers: 0, gpuLayers: 'auto', summary: '' });
	});
});
