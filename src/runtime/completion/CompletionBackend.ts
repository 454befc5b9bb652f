/*
 * The narrow engine the completion service runs on: generate a suggestion, evaluate a prompt's head
 * ahead, and say at once whether it can do either. The local node-llama-cpp engine (through
 * `Runtime`) is the first implementation; a remote one implements the same. Plain data only, so
 * nothing engine-specific reaches the service.
 */
import type { RuntimeErrorInfo } from '../../shared/types';
import type { CompletionStats } from './CompletionStats';

/** A piece of another file for the prompt (a ring chunk satisfies it). */
export interface BackendContextChunk {
	/** The file's path in the workspace, as the prompt shows it. */
	readonly name: string;
	readonly text: string;
}

export interface BackendCompletionRequest {
	/** Text before the cursor, already cut to the service's line window. */
	readonly prefix: string;
	/** Text after the cursor, cut the same way. */
	readonly suffix: string;
	/** The document's path relative to the workspace. */
	readonly fileName: string;
	/** Extra context laid out before the file, oldest (most stable) first. */
	readonly extraContext: readonly BackendContextChunk[];
	/** The workspace's name for repo-level prompts; absent without a workspace. */
	readonly repoName?: string;
	/** Suggestions wanted in all, best first: the service's one decision on how many to compute. */
	readonly candidates: number;
	/** Aborted when nobody wants the generation any more. */
	readonly signal: AbortSignal;
	/** Aborted when nobody waits for the extra suggestions; the first is still wanted. */
	readonly alternativesSignal: AbortSignal;
	/** Called with the first suggestion's raw text as it streams, so later requests can tell whether it still agrees. */
	readonly onText: (text: string) => void;
	/**
	 * `speculative` for a prefetch nobody waits for yet: it yields to any request the user waits
	 * for (the local engine stops it at its next token). Defaults to `interactive`.
	 */
	readonly lane?: 'interactive' | 'speculative';
}

/** Why a generation ended with no text: it only repeated the text after the cursor, or it wrote nothing usable. */
export type EmptyReason = 'repeatsSuffix' | 'empty';

export interface BackendCompletionResult {
	/** The best suggestion; empty when there is none (see `emptyReason`). */
	readonly text: string;
	/** Further suggestions, distinct from `text` and each other, best first. */
	readonly alternatives: readonly string[];
	readonly stats: CompletionStats;
	/** Why `text` is empty; absent when it is not (or the engine cannot tell, which counts as `empty`). */
	readonly emptyReason?: EmptyReason;
}

/** The head every next prompt starts with, to be evaluated while the user is idle. */
export interface BackendPrefillRequest {
	readonly extraContext: readonly BackendContextChunk[];
	readonly repoName?: string;
	/** The focused document's window at its cursor, cut as a request there would have it; absent to evaluate the head alone. */
	readonly prefix?: string;
	readonly suffix?: string;
	readonly fileName?: string;
}

export interface BackendPrefillResult {
	/** Tokens already evaluated before. */
	readonly cachedTokens: number;
	/** Tokens evaluated now. */
	readonly evaluatedTokens: number;
	/** Stopped early because a request came first; it is tried again after the next quiet time. */
	readonly aborted: boolean;
}

/** Whether a request can be served now, and if not, why, with what the user can do about it. */
export type CompletionAvailability =
	| { readonly available: true }
	| { readonly available: false; readonly reason: 'notReady' | 'modeUnavailable'; readonly error: RuntimeErrorInfo };

export interface CompletionBackend {
	/** Answers at once, with no waiting and no model work: it runs for every request, keystroke after keystroke. */
	completionAvailability(): CompletionAvailability;
	/** Generates the suggestions; rejects with the signal's reason once `signal` is aborted. */
	complete(request: BackendCompletionRequest): Promise<BackendCompletionResult>;
	/** Evaluates a prompt's head ahead of the next request; `undefined` when there is nothing to evaluate it on. */
	prefillCompletion(request: BackendPrefillRequest, signal?: AbortSignal): Promise<BackendPrefillResult | undefined>;
}
