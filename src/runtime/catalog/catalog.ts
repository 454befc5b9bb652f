/*
 * The recommended models: data only, no logic. Sizes are approximate (Q4_K_M unless noted) and the
 * download checks the server's real size; facts from the model cards and the model-formats notes.
 * URIs use node-llama-cpp's `hf:` scheme, which also fetches every part of a split GGUF.
 */
import type { CatalogEntry } from '../../shared/modelTypes';

const GB = 1_000_000_000;

const qwenCoder3b: CatalogEntry = {
	id: 'qwen2.5-coder-3b',
	name: 'Qwen2.5-Coder 3B',
	role: 'completion',
	description: 'Better completions; still quick on a recent CPU or any GPU.',
	parameters: '3B',
	activeFraction: 1,
	quantization: 'Q4_K_M',
	model: { uri: 'hf:Qwen/Qwen2.5-Coder-3B-Instruct-GGUF:Q4_K_M', sizeBytes: 1.9 * GB },
	license: 'Qwen Research License',
	kvBytesPerToken: 36_864,
	fitContextTokens: 8_192,
	fillInTheMiddle: true,
	vision: false,
};

export const modelCatalog: readonly CatalogEntry[] = [
	{
		id: 'qwen2.5-coder-1.5b',
		name: 'Qwen2.5-Coder 1.5B',
		role: 'completion',
		description: 'Fast fill-in-the-middle completion for laptops and CPUs.',
		parameters: '1.5B',
		activeFraction: 1,
		quantization: 'Q8_0',
		model: { uri: 'hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf', sizeBytes: 1.65 * GB },
		license: 'Apache-2.0',
		kvBytesPerToken: 28_672,
		fitContextTokens: 8_192,
		fillInTheMiddle: true,
		vision: false,
	},
	qwenCoder3b,
	{
		id: 'qwen2.5-coder-7b',
		name: 'Qwen2.5-Coder 7B',
		role: 'completion',
		description: 'The strongest of the three; wants a GPU with 6 GB or more.',
		parameters: '7B',
		activeFraction: 1,
		quantization: 'Q4_K_M',
		model: { uri: 'hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M', sizeBytes: 4.7 * GB },
		license: 'Apache-2.0',
		kvBytesPerToken: 57_344,
		fitContextTokens: 8_192,
		fillInTheMiddle: true,
		vision: false,
	},
	{
		id: 'qwen3-coder-30b-a3b',
		name: 'Qwen3-Coder 30B-A3B',
		role: 'chat',
		description: 'Mixture-of-Experts coder: 30B parameters, 3B active per token, so it is fast for its size.',
		parameters: '30B',
		activeParameters: '3B',
		activeFraction: 0.1,
		quantization: 'Q4_K_M',
		model: { uri: 'hf:unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF:Q4_K_M', sizeBytes: 18.6 * GB },
		license: 'Apache-2.0',
		kvBytesPerToken: 98_304,
		fitContextTokens: 16_384,
		fillInTheMiddle: true,
		vision: false,
	},
	{
		// The completion entry's instruct file, offered for chat too: the one chat model a small
		// machine (2 cores, no GPU) runs at reading speed. Its own id keeps the roles' folders apart.
		...qwenCoder3b,
		id: 'qwen2.5-coder-3b-chat',
		name: 'Qwen2.5-Coder 3B Instruct',
		role: 'chat',
		description: 'A small instruct coder for chat on laptops and CPUs; no reasoning, no images.',
	},
	{
		id: 'devstral-small-2',
		name: 'Devstral Small 2 (24B)',
		role: 'chat',
		description: 'Mistral\'s dense 24B agentic coder; reads images with its projector.',
		parameters: '24B',
		activeFraction: 1,
		quantization: 'Q4_K_M',
		model: { uri: 'hf:unsloth/Devstral-Small-2-24B-Instruct-2512-GGUF:Q4_K_M', sizeBytes: 14.3 * GB },
		mmproj: { uri: 'hf:unsloth/Devstral-Small-2-24B-Instruct-2512-GGUF/mmproj-F16.gguf', sizeBytes: 0.88 * GB },
		license: 'Apache-2.0',
		kvBytesPerToken: 163_840,
		fitContextTokens: 16_384,
		fillInTheMiddle: false,
		vision: true,
	},
	{
		id: 'mistral-small-4',
		name: 'Mistral Small 4 (119B-A6.5B)',
		role: 'chat',
		// 128 routed experts (4 used per token) + 1 shared in each of 36 layers: with a 24 GB GPU the
		// experts of most layers stay in RAM (bora.moe.cpuExperts), so it wants 96 GB of RAM or more.
		description: 'Mixture-of-Experts with images and reasoning (none/high): 128 experts, 4 used per token; a 24 GB GPU with 96 GB of RAM or more, or 128 GB of unified memory.',
		parameters: '119B',
		activeParameters: '6.5B',
		activeFraction: 0.055,
		quantization: 'Q4_K_M',
		model: { uri: 'hf:unsloth/Mistral-Small-4-119B-2603-GGUF:Q4_K_M', sizeBytes: 67.2 * GB },
		mmproj: { uri: 'hf:unsloth/Mistral-Small-4-119B-2603-GGUF/mmproj-F16.gguf', sizeBytes: 0.8 * GB },
		license: 'Apache-2.0',
		kvBytesPerToken: 23_552,
		fitContextTokens: 32_768,
		minTotalMemoryBytes: 80 * GB,
		fillInTheMiddle: false,
		vision: true,
	},
];

/** The catalog entry with this id, if any. */
export function findCatalogEntry(id: string): CatalogEntry | undefined {
	return modelCatalog.find(entry => entry.id === id);
}
