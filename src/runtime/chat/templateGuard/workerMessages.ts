import type { MessagePort } from 'node:worker_threads';
import type { Encoded } from './llamaTextCodec';

/**
 * What the main thread and the template worker say to each other. One operation runs at a time in
 * the worker; every reply carries the id of the request it answers.
 */
export namespace TemplateWorkerRequest {
	/** Resolves the chat wrapper as `resolveChatWrapper(model, …)` would, with the model's facts sent along. */
	export interface Resolve {
		readonly type: 'resolve';
		readonly id: number;
		/** Names the resolved wrapper for later renders. */
		readonly key: string;
		readonly bosString: string | undefined;
		readonly filename: string | undefined;
		/** The GGUF metadata a wrapper looks at (general facts and the chat template), without the vocabulary. */
		readonly metadata: Record<string, unknown>;
		readonly customWrapperSettings: Encoded;
	}
	/** Renders a context state with a resolved wrapper; a synchronous call answers on `replyPort`. */
	export interface Render {
		readonly type: 'render';
		readonly id: number;
		readonly key: string;
		readonly options: Encoded;
		readonly replyPort?: MessagePort;
	}
	export type Type = Resolve | Render;
}

/** A bound the template broke; the main thread turns it into a `RuntimeError`. */
export type TemplateViolation =
	| { readonly kind: 'time'; readonly limitMs: number }
	| { readonly kind: 'size'; readonly limitChars: number };

export namespace TemplateWorkerReply {
	export interface Resolved {
		readonly type: 'resolved';
		readonly id: number;
		readonly wrapperName: string;
		readonly settings: Encoded;
	}
	export interface Rendered {
		readonly type: 'rendered';
		readonly id: number;
		readonly state: Encoded;
	}
	/** The operation threw (a template that does not parse, a wrapper that rejects the history). */
	export interface Failed {
		readonly type: 'failed';
		readonly id: number;
		readonly message: string;
	}
	/** A render produced more than the size bound (the time bound is watched by the main thread). */
	export interface Refused {
		readonly type: 'refused';
		readonly id: number;
		readonly violation: TemplateViolation;
	}
	/** The worker needs the model's tokenizer, which lives on the main thread; the answer comes on `port`. */
	export interface TokenizerCall {
		readonly type: 'tokenizer';
		readonly call: TokenizerOperation;
		readonly port: MessagePort;
	}
	export type Type = Resolved | Rendered | Failed | Refused | TokenizerCall;
}

/** The tokenizer methods chat wrappers use while they resolve. */
export type TokenizerOperation =
	| { readonly op: 'tokenize'; readonly text: string; readonly specialTokens: boolean | 'builtin' | undefined; readonly options: 'trimLeadingSpace' | undefined }
	| { readonly op: 'detokenize'; readonly tokens: readonly number[]; readonly specialTokens: boolean | undefined; readonly lastTokens: readonly number[] | undefined }
	| { readonly op: 'isSpecialToken'; readonly token: number }
	| { readonly op: 'isEogToken'; readonly token: number };

/** Shared memory both threads see. */
export interface TemplateWorkerData {
	/**
	 * Float64 slot 0: when the render running now started (`Date.now()`), 0 between renders, so the
	 * main thread can stop a render that runs too long. Int32 slot 2: set to 1 when a synchronous
	 * render's reply is posted. Int32 slot 3: set to 1 when a tokenizer answer is posted.
	 */
	readonly shared: SharedArrayBuffer;
	/** Characters a render may produce beyond twice its input. */
	readonly maxOutputChars: number;
}

export const sharedLayout = {
	bytes: 16,
	renderStartedAt: 0,
	syncReplyFlag: 2,
	tokenizerReplyFlag: 3,
} as const;
