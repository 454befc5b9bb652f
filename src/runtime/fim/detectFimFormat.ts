import type { Token } from 'node-llama-cpp';
import type { FimFormatName } from '../../shared/types';
import type { FimFormat, FimLayout } from './FimFormat';
import type { Vocabulary } from './vocabulary';

interface FamilySpec {
	readonly name: Exclude<FimFormatName, 'generic'>;
	readonly layout: FimLayout;
	/** Each marker lists the spellings seen in converted GGUFs, first match wins. */
	readonly prefix: readonly string[];
	readonly suffix: readonly string[];
	readonly middle?: readonly string[];
	readonly stops: readonly string[];
	readonly repoName?: string;
	readonly fileSeparator?: string;
	readonly alwaysBos?: boolean;
	readonly trimSuffixLeadingSpace?: boolean;
}

/** Ordered most specific first; facts from each family's tokenizer and llama.cpp's infill code. */
const families: readonly FamilySpec[] = [
	{
		// Mistral tekken (Codestral, Devstral, Mistral Small): llama.cpp does not know these markers.
		name: 'mistral', layout: 'suffixPrefix', prefix: ['[PREFIX]'], suffix: ['[SUFFIX]'],
		stops: [], alwaysBos: true,
	},
	{
		name: 'qwen', layout: 'prefixSuffixMiddle',
		prefix: ['<|fim_prefix|>'], suffix: ['<|fim_suffix|>'], middle: ['<|fim_middle|>'],
		stops: ['<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|endoftext|>', '<|im_end|>'],
		repoName: '<|repo_name|>', fileSeparator: '<|file_sep|>',
	},
	{
		name: 'starcoder', layout: 'prefixSuffixMiddle',
		prefix: ['<fim_prefix>'], suffix: ['<fim_suffix>'], middle: ['<fim_middle>'],
		stops: ['<fim_pad>', '<file_sep>', '<repo_name>', '<|endoftext|>'],
		repoName: '<repo_name>', fileSeparator: '<file_sep>',
	},
	{
		name: 'deepseek', layout: 'prefixSuffixMiddle',
		prefix: ['<｜fim▁begin｜>'], suffix: ['<｜fim▁hole｜>'], middle: ['<｜fim▁end｜>'],
		stops: ['<｜end▁of▁sentence｜>'],
	},
	{
		name: 'codellama', layout: 'prefixSuffixMiddle',
		prefix: ['▁<PRE>', '<PRE>'], suffix: ['▁<SUF>', '<SUF>'], middle: ['▁<MID>', '<MID>'],
		stops: ['▁<EOT>', '<EOT>'], trimSuffixLeadingSpace: true,
	},
];

/**
 * Every marker spelling of the known families, or of one family: what a remote server's `/tokenize`
 * is asked about, since there is no vocabulary file to read there.
 */
export function fimMarkerSpellings(name?: FimFormatName): readonly string[] {
	return families.filter(family => name === undefined || family.name === name).flatMap(family => [
		...family.prefix, ...family.suffix, ...family.middle ?? [], ...family.stops,
		...family.repoName === undefined ? [] : [family.repoName], ...family.fileSeparator === undefined ? [] : [family.fileSeparator],
	]);
}

/** `tokenizer.ggml.*` keys written by llama.cpp's converter, newest spelling first. */
const genericKeys = {
	prefix: ['fim_pre_token_id', 'prefix_token_id'],
	suffix: ['fim_suf_token_id', 'suffix_token_id'],
	middle: ['fim_mid_token_id', 'middle_token_id'],
	stops: ['fim_pad_token_id', 'fim_rep_token_id', 'fim_sep_token_id', 'eot_token_id'],
} as const;

export interface DetectFimFormatOptions {
	/** Whether the model's tokenizer asks for a BOS token (`tokenizer.ggml.add_bos_token`). */
	readonly addBos: boolean;
}

export type FimDetection = { readonly format: FimFormat } | { readonly reason: string };

export const noFimReason =
	'The model has no fill-in-the-middle tokens: its vocabulary has none of Mistral [PREFIX]/[SUFFIX], ' +
	'Qwen <|fim_prefix|>, StarCoder <fim_prefix>, DeepSeek <｜fim▁begin｜> or CodeLlama <PRE>, and its ' +
	'metadata has no tokenizer.ggml.fim_* ids.';

/** Finds the FIM format from the vocabulary and metadata only: a file name proves nothing. */
export function detectFimFormat(vocabulary: Vocabulary, { addBos }: DetectFimFormatOptions): FimDetection {
	const findAny = (spellings: readonly string[] | undefined) => spellings?.map(text => vocabulary.find(text)).find(id => id !== undefined);
	const findAll = (texts: readonly (string | undefined)[]) => texts.flatMap(text => (text === undefined ? [] : [vocabulary.find(text)])).filter(isToken);

	for (const family of families) {
		const prefix = findAny(family.prefix);
		const suffix = findAny(family.suffix);
		const middle = findAny(family.middle);
		if (prefix === undefined || suffix === undefined || (family.middle && middle === undefined)) {
			continue;
		}
		const repoName = family.repoName === undefined ? undefined : vocabulary.find(family.repoName);
		const fileSeparator = family.fileSeparator === undefined ? undefined : vocabulary.find(family.fileSeparator);
		return {
			format: {
				name: family.name,
				layout: family.layout,
				prefix,
				suffix,
				middle,
				prependBos: family.alwaysBos ?? addBos,
				trimSuffixLeadingSpace: family.trimSuffixLeadingSpace ?? false,
				repoName,
				fileSeparator,
				stopTokens: findAll(family.stops),
			},
		};
	}

	const fromMetadata = (keys: readonly string[]) => keys.map(key => vocabulary.metadataToken(key)).find(isToken);
	const prefix = fromMetadata(genericKeys.prefix);
	const suffix = fromMetadata(genericKeys.suffix);
	const middle = fromMetadata(genericKeys.middle);
	if (prefix !== undefined && suffix !== undefined && middle !== undefined) {
		return {
			format: {
				name: 'generic',
				layout: 'prefixSuffixMiddle',
				prefix,
				suffix,
				middle,
				prependBos: addBos,
				trimSuffixLeadingSpace: false,
				repoName: vocabulary.metadataToken('fim_rep_token_id'),
				fileSeparator: vocabulary.metadataToken('fim_sep_token_id'),
				stopTokens: genericKeys.stops.map(key => vocabulary.metadataToken(key)).filter(isToken),
			},
		};
	}
	return { reason: noFimReason };
}

function isToken(value: Token | undefined): value is Token {
	return value !== undefined;
}
