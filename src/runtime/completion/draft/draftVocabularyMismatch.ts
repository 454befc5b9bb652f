import type { GgufFileInfo } from 'node-llama-cpp';

/**
 * llama.cpp's own rule (`common_speculative_are_compatible`) lets vocabularies differ by this many
 * trailing tokens: converters pad some models' vocabularies to a multiple of 64 or 128.
 */
const maxVocabularySizeDifference = 128;
/** Its first ids may differ too (byte-fallback and control tokens some converters reorder). */
const firstComparedId = 5;

interface TokenizerFacts {
	readonly model: unknown;
	readonly tokens: readonly string[];
	readonly bos: unknown;
	readonly eos: unknown;
	readonly addBos: unknown;
}

/**
 * Why the draft model's tokens cannot stand for the target's, in words for a notice; `undefined`
 * when they can. The checks are llama.cpp's (tokenizer type, BOS/EOS, sizes, the text of every
 * shared id), made on the GGUF headers before any context exists, because node-llama-cpp makes
 * them only inside the first speculative generation and would fail the completion itself.
 */
export function draftVocabularyMismatch(target: GgufFileInfo, draft: GgufFileInfo): string | undefined {
	const a = tokenizerFacts(target);
	const b = tokenizerFacts(draft);
	if (a.tokens.length === 0 || b.tokens.length === 0) {
		return 'one of the two files has no vocabulary in its header';
	}
	if (a.model !== b.model) {
		return `its tokenizer is "${String(b.model)}", the completion model's is "${String(a.model)}"`;
	}
	if (a.bos !== b.bos || a.eos !== b.eos || a.addBos !== b.addBos) {
		return 'its start and end tokens differ from the completion model\'s';
	}
	if (Math.abs(a.tokens.length - b.tokens.length) > maxVocabularySizeDifference) {
		return `it has ${b.tokens.length.toLocaleString('en-US')} tokens, the completion model ${a.tokens.length.toLocaleString('en-US')}`;
	}
	const shared = Math.min(a.tokens.length, b.tokens.length);
	for (let id = firstComparedId; id < shared; id++) {
		if (a.tokens[id] !== b.tokens[id]) {
			return `token ${id} is ${JSON.stringify(b.tokens[id])} in it and ${JSON.stringify(a.tokens[id])} in the completion model`;
		}
	}
	return undefined;
}

function tokenizerFacts(fileInfo: GgufFileInfo): TokenizerFacts {
	const ggml = fileInfo.metadata.tokenizer?.ggml as Record<string, unknown> | undefined;
	return {
		model: ggml?.['model'],
		tokens: Array.isArray(ggml?.['tokens']) ? (ggml['tokens'] as readonly string[]) : [],
		bos: ggml?.['bos_token_id'],
		eos: ggml?.['eos_token_id'],
		addBos: ggml?.['add_bos_token'],
	};
}
