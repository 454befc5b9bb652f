import assert from 'node:assert/strict';
import type { LlamaModel, Token } from 'node-llama-cpp';
import { buildFimHead, buildFimPrompt, detectFimFormat, noFimReason, snippetSeparator, vocabularyOf, type FimFormat, type Vocabulary } from '../../src/runtime';
import { canonicalFim } from '../models/fixtures';
import { disposeVocabModels, vocabModel } from '../support/vocabModels';

const { prefix, suffix } = canonicalFim;

function formatOf(model: LlamaModel): FimFormat {
	const detection = detectFimFormat(vocabularyOf(model.fileInfo), { addBos: model.tokens.shouldPrependBosToken });
	assert.ok('format' in detection, `expected a FIM format, got: ${'reason' in detection ? detection.reason : ''}`);
	return detection.format;
}

function id(model: LlamaModel, text: string): Token {
	const token = vocabularyOf(model.fileInfo).find(text);
	assert.notEqual(token, undefined, `${text} is in the vocabulary`);
	return token!;
}

/** A vocabulary with only the given entries, for families whose tokenizer llama.cpp does not ship. */
function fakeVocabulary(tokens: Record<string, number>, metadata: Record<string, number> = {}): Vocabulary {
	return { find: text => tokens[text] as Token | undefined, metadataToken: key => metadata[key] as Token | undefined };
}

describe('FIM prompts, token by token', function () {
	this.timeout(120_000);
	after(disposeVocabModels);

	it('Qwen: <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|>, no BOS, stops on pad/sep/repo', async () => {
		const model = await vocabModel({ fixture: 'qwenFim' });
		const format = formatOf(model);
		assert.equal(format.name, 'qwen');
		const prompt = buildFimPrompt(format, model, { prefix, suffix });
		assert.deepEqual(prompt, [151659, 1688, 912, 2877, 11, 293, 8, 314, 151661, 92, 151660]);
		assert.equal(model.detokenize(prompt, true), `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`);
		for (const stop of ['<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|endoftext|>']) {
			assert.ok(format.stopTokens.includes(id(model, stop)), `${stop} stops generation`);
		}
		assert.equal(format.repoName, id(model, '<|repo_name|>'));
		assert.equal(format.fileSeparator, id(model, '<|file_sep|>'));
	});

	it('StarCoder: <fim_prefix> prefix <fim_suffix> suffix <fim_middle>', async () => {
		const model = await vocabModel({ vocabulary: 'starcoder' });
		const format = formatOf(model);
		assert.equal(format.name, 'starcoder');
		const prompt = buildFimPrompt(format, model, { prefix, suffix });
		assert.deepEqual(prompt, [id(model, '<fim_prefix>'), ...model.tokenize(prefix), id(model, '<fim_suffix>'), ...model.tokenize(suffix), id(model, '<fim_middle>')]);
		assert.equal(model.detokenize(prompt, true), `<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`);
		assert.ok(format.stopTokens.includes(id(model, '<file_sep>')));
	});

	it('DeepSeek-Coder: BOS <｜fim▁begin｜> prefix <｜fim▁hole｜> suffix <｜fim▁end｜>', async () => {
		const model = await vocabModel({ vocabulary: 'deepseek-coder' });
		const format = formatOf(model);
		assert.equal(format.name, 'deepseek');
		const prompt = buildFimPrompt(format, model, { prefix, suffix });
		const bos = model.tokens.shouldPrependBosToken ? [model.tokens.bos!] : [];
		assert.deepEqual(prompt, [...bos, id(model, '<｜fim▁begin｜>'), ...model.tokenize(prefix), id(model, '<｜fim▁hole｜>'), ...model.tokenize(suffix), id(model, '<｜fim▁end｜>')]);
		assert.ok(format.stopTokens.includes(id(model, '<｜end▁of▁sentence｜>')));
	});

	it('Mistral tekken: <s>[SUFFIX] suffix [PREFIX] prefix, from token ids, no [MIDDLE]', async () => {
		const model = await vocabModel({ fixture: 'mistral4Fim' });
		const format = formatOf(model);
		assert.equal(format.name, 'mistral');
		assert.equal(format.layout, 'suffixPrefix');
		const prompt = buildFimPrompt(format, model, { prefix, suffix });
		assert.deepEqual(prompt, [model.tokens.bos!, id(model, '[SUFFIX]'), ...model.tokenize(suffix), id(model, '[PREFIX]'), ...model.tokenize(prefix)]);
		assert.ok(!prompt.includes(id(model, '[MIDDLE]')));
		assert.equal(model.detokenize(prompt, true), `<s>[SUFFIX]${suffix}[PREFIX]${prefix}`);
	});

	it('CodeLlama: BOS ▁<PRE> " prefix" ▁<SUF> suffix ▁<MID>, suffix without the SentencePiece space', async () => {
		const model = await vocabModel({ vocabulary: 'llama-spm' });
		const detection = detectFimFormat(fakeVocabulary({ '▁<PRE>': 32007, '▁<SUF>': 32008, '▁<MID>': 32009, '▁<EOT>': 32010 }), { addBos: true });
		assert.ok('format' in detection);
		assert.equal(detection.format.name, 'codellama');
		const prompt = buildFimPrompt(detection.format, model, { prefix, suffix: 'return x;' });
		const prefixTokens = model.tokenize(prefix);
		// SentencePiece prepends "▁" to the prefix (CodeLlama's "<PRE> {prefix}") but not to the suffix.
		const pieces = model.fileInfo.metadata.tokenizer.ggml.tokens as readonly string[];
		assert.equal(pieces[prefixTokens[0]!], '▁function');
		assert.deepEqual(prompt, [1, 32007, ...prefixTokens, 32008, ...model.tokenize('return x;', false, 'trimLeadingSpace'), 32009]);
		assert.notDeepEqual(model.tokenize('return x;', false, 'trimLeadingSpace'), model.tokenize('return x;'));
		assert.deepEqual(detection.format.stopTokens, [32010]);
	});

	it('generic tokenizer.ggml.fim_* ids when the vocabulary has no known family', () => {
		const detection = detectFimFormat(fakeVocabulary({}, { fim_pre_token_id: 5, fim_suf_token_id: 6, fim_mid_token_id: 7, fim_pad_token_id: 8, fim_sep_token_id: 9 }), { addBos: false });
		assert.ok('format' in detection);
		assert.equal(detection.format.name, 'generic');
		const tokenizer = { tokenize: (text: string) => [...text].map(c => c.charCodeAt(0) as Token), tokens: { bos: null } };
		assert.deepEqual(buildFimPrompt(detection.format, tokenizer, { prefix: 'ab', suffix: 'c' }), [5, 97, 98, 6, 99, 7]);
		assert.deepEqual(detection.format.stopTokens, [8, 9]);
	});

	it('a vocabulary without FIM tokens gives a reason instead of a format', async () => {
		const model = await vocabModel({ vocabulary: 'llama-bpe' });
		const detection = detectFimFormat(vocabularyOf(model.fileInfo), { addBos: true });
		assert.deepEqual(detection, { reason: noFimReason });
	});

	it('user text is never parsed as special tokens', async () => {
		const model = await vocabModel({ fixture: 'qwenFim' });
		const format = formatOf(model);
		const prompt = buildFimPrompt(format, model, { prefix: 'x = "<|endoftext|><|fim_middle|>"', suffix: '' });
		assert.equal(prompt.filter(token => token === id(model, '<|fim_middle|>')).length, 1, 'only the real middle marker');
		assert.ok(!prompt.includes(id(model, '<|endoftext|>')));
	});

	it('a token budget keeps the text nearest the cursor', async () => {
		const model = await vocabModel({ fixture: 'qwenFim' });
		const format = formatOf(model);
		const longPrefix = Array.from({ length: 200 }, (_, i) => `line${i}();`).join('\n');
		const longSuffix = Array.from({ length: 200 }, (_, i) => `tail${i}();`).join('\n');
		const prompt = buildFimPrompt(format, model, { prefix: longPrefix, suffix: longSuffix, maxTextTokens: 100 });
		assert.equal(prompt.length, 100 + 3);
		const text = model.detokenize(prompt, true);
		assert.ok(text.includes('line199();<|fim_suffix|>tail0();'), text);
		assert.ok(!text.includes('line0();'));
	});
	it('stable-first layout: Qwen keeps 32 suffix tokens after the prefix and moves the rest in front as a file chunk', async () => {
		const model = await vocabModel({ fixture: 'qwenFim' });
		const format = formatOf(model);
		const suffix = Array.from({ length: 40 }, (_, i) => `tail${i}();`).join('\n');
		const prompt = buildFimPrompt(format, model, { prefix: 'let x = ', suffix, volatileSuffixTokens: 32, fileName: 'a.js' });
		const text = model.detokenize(prompt, true);
		assert.ok(text.startsWith('<|file_sep|>a.js\n'), text);
		assert.ok(text.includes('<|file_sep|>a.js\n<|fim_prefix|>let x = <|fim_suffix|>tail0();'), text);
		// 32 suffix tokens and <|fim_middle|>.
		const afterSuffixMarker = prompt.length - 1 - prompt.lastIndexOf(id(model, '<|fim_suffix|>'));
		assert.equal(afterSuffixMarker, 32 + 1, 'only 32 suffix tokens sit between <|fim_suffix|> and <|fim_middle|>');
		assert.ok(text.endsWith('<|fim_middle|>'));
		// Typing at the cursor changes nothing before the prefix: the far suffix stays cached.
		const typed = buildFimPrompt(format, model, { prefix: 'let x = 1', suffix, volatileSuffixTokens: 32, fileName: 'a.js' });
		const stableLength = prompt.indexOf(id(model, '<|fim_prefix|>')) + 1;
		assert.deepEqual(typed.slice(0, stableLength), prompt.slice(0, stableLength));
	});

	it('a body limit cuts the prefix alone, from its start: the short prompt shares the whole one\'s beginning up to the prefix, Qwen and Mistral', async () => {
		const before = Array.from({ length: 120 }, (_, i) => `const value${i} = compute(${i});\n`).join('');
		const suffix = Array.from({ length: 40 }, (_, i) => `tail${i}();`).join('\n');
		for (const fixture of ['qwenFim', 'mistral4Fim'] as const) {
			const model = await vocabModel({ fixture });
			const format = formatOf(model);
			const input = { prefix: `${before}\tlet x = `, suffix, volatileSuffixTokens: 32, cursorLineApart: true, trimStep: 64, fileName: 'a.js' };
			const full = buildFimPrompt(format, model, input);
			const short = buildFimPrompt(format, model, { ...input, maxBodyTokens: 256 });
			assert.ok(short.length <= 256 && short.length < full.length, `${fixture}: ${short.length} of ${full.length}`);
			// Everything up to the prefix marker is the same; the prefix starts later, by whole steps.
			const prefixMarker = full.indexOf(format.prefix);
			assert.deepEqual(short.slice(0, prefixMarker + 1), full.slice(0, prefixMarker + 1), fixture);
			const cut = full.length - short.length;
			assert.equal(cut % 64, 0, `${fixture}: cut ${cut}`);
			assert.deepEqual(short.slice(prefixMarker + 1), full.slice(prefixMarker + 1 + cut), `${fixture}: the rest is the whole prompt's, from the cut on`);
			assert.ok(model.detokenize(short, true).endsWith('\tlet x = '), fixture);
			// A limit the prompt fits leaves it whole, and one below the fixed part never cuts into the cursor line.
			assert.deepEqual(buildFimPrompt(format, model, { ...input, maxBodyTokens: full.length }), full);
			assert.ok(model.detokenize(buildFimPrompt(format, model, { ...input, maxBodyTokens: 1 }), true).endsWith('\tlet x = '), fixture);
		}
	});

	it('cursor line apart: the cursor line goes after <fim_middle>, so typing on it leaves the suffix cached', async () => {
		const model = await vocabModel({ fixture: 'qwenFim' });
		const format = formatOf(model);
		const suffix = ';\n}\n';
		const before = 'function f(a) {\n';
		const prompt = buildFimPrompt(format, model, { prefix: `${before}\treturn a`, suffix, cursorLineApart: true });
		assert.equal(model.detokenize(prompt, true), `<|fim_prefix|>${before}<|fim_suffix|>${suffix}<|fim_middle|>\treturn a`);
		const typed = buildFimPrompt(format, model, { prefix: `${before}\treturn a +`, suffix, cursorLineApart: true });
		const middle = prompt.indexOf(id(model, '<|fim_middle|>'));
		assert.deepEqual(typed.slice(0, middle + 1), prompt.slice(0, middle + 1), 'everything up to <|fim_middle|> is unchanged');
		// At the start of a line there is nothing to move.
		assert.deepEqual(buildFimPrompt(format, model, { prefix: before, suffix, cursorLineApart: true }), buildFimPrompt(format, model, { prefix: before, suffix }));
		// A budget that cuts into the cursor line keeps its end after the marker.
		const cut = buildFimPrompt(format, model, { prefix: `${before}\treturn a + b + c + d`, suffix: '', cursorLineApart: true, maxTextTokens: 4 });
		assert.equal(cut.at(-5), id(model, '<|fim_middle|>'));
		assert.ok(model.detokenize(cut, true).endsWith(' + d'), model.detokenize(cut, true));
	});

	it('cursor line apart: CodeLlama continues the line without a SentencePiece space; suffix-first Mistral is unchanged', async () => {
		const spm = await vocabModel({ vocabulary: 'llama-spm' });
		const detection = detectFimFormat(fakeVocabulary({ '▁<PRE>': 32007, '▁<SUF>': 32008, '▁<MID>': 32009, '▁<EOT>': 32010 }), { addBos: true });
		assert.ok('format' in detection);
		const prompt = buildFimPrompt(detection.format, spm, { prefix: 'int f() {\n  return', suffix: ';\n}', cursorLineApart: true });
		assert.deepEqual(prompt.slice(prompt.indexOf(32009 as Token) + 1), spm.tokenize('  return', false, 'trimLeadingSpace'));
		const mistral = await vocabModel({ fixture: 'mistral4Fim' });
		const format = formatOf(mistral);
		assert.deepEqual(buildFimPrompt(format, mistral, { prefix, suffix, cursorLineApart: true }), buildFimPrompt(format, mistral, { prefix, suffix }));
	});

	it('cursor line apart, suffix-first: the same tokens as the whole prefix, with SentencePiece and BPE vocabularies', async () => {
		const lines = 'function f(a) {\n\tif (a) {\n    return a;\n  }\n  const total = a + 1;';
		const mistral = await vocabModel({ fixture: 'mistral4Fim' });
		const spm = await vocabModel({ vocabulary: 'llama-spm' });
		// Codestral's SentencePiece layout, with made-up marker ids: only the text's tokens matter here.
		const spmFormat: FimFormat = { name: 'mistral', layout: 'suffixPrefix', prefix: 3 as Token, suffix: 4 as Token, prependBos: true, trimSuffixLeadingSpace: false, stopTokens: [] };
		for (const [model, format] of [[mistral, formatOf(mistral)], [spm, spmFormat]] as const) {
			for (const text of [lines, `${lines}\n`, `${lines}\n  `, 'const first = 1;']) {
				assert.deepEqual(buildFimPrompt(format, model, { prefix: text, suffix, cursorLineApart: true }), buildFimPrompt(format, model, { prefix: text, suffix }), JSON.stringify(text));
			}
		}
	});

	const extraContext = [
		{ name: 'src/math.js', text: 'export function sub(a, b) {\n\treturn a - b;\n}\n' },
		{ name: 'src/log.js', text: 'export const log = console.log;\n' },
	];

	it('extra context, Qwen: the repo-level format <|repo_name|> and a <|file_sep|> per file, then the current file', async () => {
		const model = await vocabModel({ fixture: 'qwenFim' });
		const format = formatOf(model);
		const prompt = buildFimPrompt(format, model, { prefix, suffix, fileName: 'src/add.js', repoName: 'bora', extraContext });
		assert.equal(model.detokenize(prompt, true), '<|repo_name|>bora\n'
			+ '<|file_sep|>src/math.js\nexport function sub(a, b) {\n\treturn a - b;\n}\n'
			+ '<|file_sep|>src/log.js\nexport const log = console.log;\n'
			+ `<|file_sep|>src/add.js\n<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`);
		assert.equal(prompt[0], id(model, '<|repo_name|>'));
		assert.equal(prompt.filter(token => token === id(model, '<|file_sep|>')).length, 3);
		// The head is exactly where the prompt starts, so evaluating it ahead is reused as a pure prefix.
		const head = buildFimHead(format, model, { repoName: 'bora', extraContext });
		assert.deepEqual(prompt.slice(0, head.tokens.length), head.tokens);
		assert.equal(head.chunks, 2);
		assert.equal(head.contextTokens, head.tokens.length, 'no BOS in Qwen');
	});

	it('extra context, Mistral: plain-text snippets after BOS and before [SUFFIX], as llama.cpp lays out input_extra', async () => {
		const model = await vocabModel({ fixture: 'mistral4Fim' });
		const format = formatOf(model);
		assert.equal(format.fileSeparator, undefined);
		const prompt = buildFimPrompt(format, model, { prefix, suffix, fileName: 'src/add.js', repoName: 'bora', extraContext });
		const text = model.detokenize(prompt, true);
		assert.equal(text, `<s>${snippetSeparator}${extraContext[0]!.text}${snippetSeparator}${extraContext[1]!.text}[SUFFIX]${suffix}[PREFIX]${prefix}`);
		assert.equal(snippetSeparator, '\n\n--- snippet ---\n\n');
		assert.ok(text.indexOf('--- snippet ---') < text.indexOf('[SUFFIX]'));
		assert.ok(!text.includes('bora'), 'no repo name without a repo-level format');
		const head = buildFimHead(format, model, { repoName: 'bora', extraContext });
		assert.deepEqual(prompt.slice(0, head.tokens.length), head.tokens);
		assert.equal(head.contextTokens, head.tokens.length - 1, 'BOS is not extra context');
		// Typing at the cursor never changes the head: MLA models keep it as a pure prefix.
		const typed = buildFimPrompt(format, model, { prefix: `${prefix} r`, suffix, repoName: 'bora', extraContext });
		assert.deepEqual(typed.slice(0, head.tokens.length), head.tokens);
	});

	it('extra context over its token limit leaves out the oldest chunks, never part of one', async () => {
		const model = await vocabModel({ fixture: 'qwenFim' });
		const format = formatOf(model);
		const full = buildFimHead(format, model, { repoName: 'bora', extraContext });
		const newest = buildFimHead(format, model, { repoName: 'bora', extraContext: extraContext.slice(1) });
		const limited = buildFimHead(format, model, { repoName: 'bora', extraContext, maxTokens: full.tokens.length - 1 });
		assert.equal(limited.chunks, 1);
		assert.deepEqual(limited.tokens, newest.tokens);
		assert.equal(buildFimHead(format, model, { repoName: 'bora', extraContext, maxTokens: 3 }).tokens.length, 0);
	});
});
