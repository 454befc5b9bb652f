import type { Token } from 'node-llama-cpp';
import type { FimFormatName } from '../../shared/types';

/** How the prefix and suffix are ordered around the format's marker tokens. */
export type FimLayout =
	/** `PRE prefix SUF suffix MID`: the model writes the middle after MID. */
	| 'prefixSuffixMiddle'
	/** `SUF suffix PRE prefix` (Mistral tekken): no MID token, the prefix runs straight into the middle. */
	| 'suffixPrefix';

/** A FIM format resolved against one model's vocabulary: every marker is a concrete token id. */
export interface FimFormat {
	readonly name: FimFormatName;
	readonly layout: FimLayout;
	readonly prefix: Token;
	readonly suffix: Token;
	/** Absent for the `suffixPrefix` layout. */
	readonly middle?: Token;
	/** Start the prompt with the model's BOS token. */
	readonly prependBos: boolean;
	/**
	 * SentencePiece vocabularies prepend a space to every tokenized text. CodeLlama's format wants that
	 * space after `<PRE>` but not before the suffix.
	 */
	readonly trimSuffixLeadingSpace: boolean;
	/** Repo-level context markers, where the family has them (used by extra-context prompts). */
	readonly repoName?: Token;
	readonly fileSeparator?: Token;
	/** Tokens that end the middle besides the model's own end-of-generation tokens. */
	readonly stopTokens: readonly Token[];
}
