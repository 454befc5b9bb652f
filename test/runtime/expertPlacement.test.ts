import assert from 'node:assert/strict';
import { LlamaCompletion, readGgufFileInfo } from 'node-llama-cpp';
import { CompletionEngine, createLlama, loadModel, type LlamaHandle, type LoadedModel, type LoadModelOptions } from '../../src/runtime';
import { ensureBenchModel } from '../models/benchModels';
import { probeCpuExperts } from '../../src/runtime/loading/loadWithCpuExperts';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';

/** llama.cpp's debug line for each tensor sent elsewhere by `tensor_buft_overrides` (llama-model-loader.cpp). */
const overrideLine = /^\[llama\.cpp\] tensor (\S+) \((\d+) MiB (\w+)\) buffer type overridden to (\S+)$/;

interface LoadLog {
	readonly loaded: LoadedModel;
	/** Tensor name → the buffer type llama.cpp said it overrode it to. */
	readonly overridden: ReadonlyMap<string, { readonly mib: number; readonly bufferType: string }>;
	/** llama.cpp's `load_tensors: <buffer> model buffer size = <n> MiB` lines. */
	readonly buffers: readonly string[];
}

/** Bytes of a tensor of these GGML types (the fixtures use F32, F16 and Q8_0). */
function tensorBytes(ggmlType: number, elements: number): number {
	switch (ggmlType) {
		case 0: return elements * 4;
		case 1: return elements * 2;
		case 8: return elements / 32 * 34;
		default: throw new Error(`unexpected GGML type ${ggmlType}`);
	}
}

describe('routed experts in RAM (bora.moe.cpuExperts) through llama.cpp\'s tensor_buft_overrides', function () {
	this.timeout(240_000);
	let handle: LlamaHandle;
	const log: string[] = [];
	let benchPath: string;
	let fimPath: string;

	async function load(options: LoadModelOptions): Promise<LoadLog> {
		log.length = 0;
		const loaded = await loadModel(handle, options);
		// llama.cpp's log reaches JavaScript a little after the load resolves: wait for this load's last
		// buffer line, and read only what follows this load's first line (the previous load's tail
		// can still be arriving when this one starts).
		const thisLoad = () => log.slice(Math.max(0, log.map(line => / loaded meta data with /.test(line)).lastIndexOf(true)));
		for (let waited = 0; waited < 100 && !thisLoad().some(line => / model buffer size = /.test(line)); waited++) {
			await new Promise(resolve => setTimeout(resolve, 50));
		}
		const lines = thisLoad();
		const overridden = new Map<string, { mib: number; bufferType: string }>();
		for (const line of lines) {
			const match = overrideLine.exec(line);
			if (match) {
				overridden.set(match[1]!, { mib: Number(match[2]), bufferType: match[4]! });
			}
		}
		return { loaded, overridden, buffers: lines.filter(line => / model buffer size = /.test(line)).map(line => line.replace(/^.*load_tensors:\s*/, '')) };
	}

	async function greedy(loaded: LoadedModel, prompt: string): Promise<string> {
		const context = await loaded.model.createContext({ contextSize: 512, threads: handle.threads });
		try {
			return await new LlamaCompletion({ contextSequence: context.getSequence() }).generateCompletion(prompt, { maxTokens: 12, temperature: 0 });
		} finally {
			await context.dispose();
		}
	}

	async function fimAnswer(loaded: LoadedModel): Promise<string> {
		const engine = new CompletionEngine(loaded, { threads: handle.threads });
		try {
			return (await engine.complete(canonicalFim)).text;
		} finally {
			await engine.dispose();
		}
	}

	before(async () => {
		const logger = { info: (line: string) => log.push(line), warn: (line: string) => log.push(line), error: (line: string) => log.push(line) };
		// The models first: generating one starts a Llama of its own, which would take over llama.cpp's log.
		benchPath = await ensureBenchModel('benchMistral4');
		fimPath = await ensureFixtureModel('mistral4Fim');
		handle = await createLlama({ gpu: 'off', threads: 2, logger, llamaLogLevel: 'debug' });
	});
	after(async () => {
		delete process.env['BORA_PLACEMENT_ADDON'];
		await handle.llama.dispose();
	});

	it('this build can place experts with node-llama-cpp\'s prebuilt addon: a model object constructed for the probe passes the layout check', async () => {
		assert.deepEqual(await probeCpuExperts(handle.llama), { placed: true });
	});

	it('keeps the routed experts of exactly the first N layers on the CPU buffer type; attention and shared experts follow their layer', async () => {
		const header = await readGgufFileInfo(benchPath, { logWarnings: false });
		const plain = await load({ modelPath: benchPath, cpuExperts: '0' });
		let plainText: string;
		try {
			assert.equal(plain.overridden.size, 0, '0: nothing overridden');
			assert.deepEqual(plain.loaded.experts, { cpuExpertLayers: 0, expertLayers: 4, totalLayers: 4, summary: 'experts of 0 of 4 layers in RAM' });
			plainText = await greedy(plain.loaded, 'function add(a, b) {');
			assert.ok(plainText.length > 0);
		} finally {
			await plain.loaded.dispose();
		}

		const two = await load({ modelPath: benchPath, cpuExperts: '2' });
		try {
			const expected = ['blk.0', 'blk.1'].flatMap(block => ['down', 'gate', 'up'].map(kind => `${block}.ffn_${kind}_exps.weight`));
			assert.deepEqual([...two.overridden.keys()].sort(), expected);
			for (const [name, { mib, bufferType }] of two.overridden) {
				assert.equal(bufferType, 'CPU', name);
				const tensor = header.tensorInfo!.find(info => info.name === name)!;
				const elements = tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1);
				assert.equal(mib, Math.floor(tensorBytes(tensor.ggmlType, elements) / 1024 / 1024), `${name}: llama.cpp moved the bytes the header gives`);
			}
			assert.ok(!log.some(line => /tensor blk\.\d+\.(attn_|ffn_\w+_shexp|ffn_gate_inp)\S* .*overridden/.test(line)), 'attention, shared experts and the router are not overridden');
			assert.deepEqual(two.loaded.experts, { cpuExpertLayers: 2, expertLayers: 4, totalLayers: 4, summary: 'experts of 2 of 4 layers in RAM' });
			// On the CPU build both placements are host memory: one mapped buffer of the same size holds all.
			assert.deepEqual(two.buffers, plain.buffers);
			assert.equal(await greedy(two.loaded, 'function add(a, b) {'), plainText, 'the same greedy text as with every expert in its layer');
		} finally {
			await two.loaded.dispose();
		}
	});

	it('all: every layer\'s routed experts, and the model still completes', async () => {
		const all = await load({ modelPath: fimPath, cpuExperts: 'all' });
		try {
			assert.deepEqual([...all.overridden.keys()].sort(), ['blk.0.ffn_down_exps.weight', 'blk.0.ffn_gate_exps.weight', 'blk.0.ffn_up_exps.weight']);
			assert.equal(all.loaded.experts?.cpuExpertLayers, 1);
			assert.equal(all.loaded.notice, undefined);
			assert.equal(await fimAnswer(all.loaded), canonicalFim.middle);
		} finally {
			await all.loaded.dispose();
		}
	});

	it('a dense model loads unchanged and says that the setting does nothing', async () => {
		const dense = await load({ modelPath: await ensureFixtureModel('qwenFim'), cpuExperts: '2' });
		try {
			assert.equal(dense.overridden.size, 0);
			assert.equal(dense.loaded.experts?.expertLayers, 0);
			assert.match(dense.loaded.notice ?? '', /No routed experts in this model: bora\.moe\.cpuExperts "2" changes nothing/);
			assert.equal(await fimAnswer(dense.loaded), canonicalFim.middle);
		} finally {
			await dense.loaded.dispose();
		}
	});

	it('when the layout check fails, nothing is written: layer offload, with expertPlacementUnavailable and what to do', async () => {
		const refused = await load({ modelPath: fimPath, cpuExperts: 'all', _layoutCheckPath: '/not/the/model.gguf' });
		try {
			assert.equal(refused.overridden.size, 0);
			const unavailable = refused.loaded.experts?.unavailable;
			assert.equal(unavailable?.code, 'expertPlacementUnavailable');
			assert.match(unavailable.message, /not laid out as this build expects: the model path differs/);
			assert.match(unavailable.action, /npm run build/);
			assert.equal(refused.loaded.experts?.cpuExpertLayers, 0);
			assert.ok(refused.loaded.notice?.includes(unavailable.message));
			assert.equal(await fimAnswer(refused.loaded), canonicalFim.middle);
		} finally {
			await refused.loaded.dispose();
		}
	});

	it('without the addon the load falls back the same way', async () => {
		process.env['BORA_PLACEMENT_ADDON'] = '/nonexistent/bora-placement.node';
		try {
			const missing = await load({ modelPath: fimPath, cpuExperts: '1' });
			try {
				assert.equal(missing.overridden.size, 0);
				assert.equal(missing.loaded.experts?.unavailable?.code, 'expertPlacementUnavailable');
				assert.match(missing.loaded.experts.unavailable.message, /BORA_PLACEMENT_ADDON points to a missing file/);
			} finally {
				await missing.loaded.dispose();
			}
		} finally {
			delete process.env['BORA_PLACEMENT_ADDON'];
		}
	});
});
