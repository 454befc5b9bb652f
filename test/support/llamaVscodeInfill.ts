export interface LlamaVscodeInfillInput {
	/** The whole document. */
	readonly text: string;
	/** The cursor's offset in `text`. */
	readonly offset: number;
	/** `n_predict`. Defaults to `16`, Bora's completion length (llama.vscode's own default is 128). */
	readonly maxTokens?: number;
	/** `input_extra`: chunks of other text laid out before the prefix. Defaults to none. */
	readonly extra?: ReadonlyArray<{ readonly filename: string; readonly text: string }>;
}

/** The body of a llama-server `/infill` request. */
export interface LlamaServerInfillBody {
	readonly input_prefix: string;
	readonly input_suffix: string;
	readonly input_extra: ReadonlyArray<{ readonly filename: string; readonly text: string }>;
	readonly prompt: string;
	readonly n_predict: number;
	readonly top_k: number;
	readonly samplers: readonly string[];
	readonly stream: false;
	readonly cache_prompt: true;
	readonly t_max_prompt_ms: number;
	readonly t_max_predict_ms: number;
}

/** llama.vscode's `n_prefix` and `n_suffix` defaults: whole lines before and after the cursor line. */
export const llamaVscodeLines = { before: 256, after: 64 } as const;

/**
 * llama.vscode's `/infill` request for a cursor in a document, as its src/completion.ts
 * (getCompletionItems: Utils.getPrefixLines/getSuffixLines) and src/llama-server.ts
 * (createRequestPayload) build it (ggml-org/llama.vscode, package.json 0.0.12 defaults): the 256
 * whole lines before the cursor line as `input_prefix`, the cursor line's text before the cursor as
 * `prompt`, its rest plus the 64 lines after it as `input_suffix`, each line ending in `\n`;
 * `cache_prompt`, `t_max_prompt_ms` and `t_max_predict_ms` 500. Two changes so that it asks llama-server
 * for what Bora's engine computes: greedy sampling (`top_k` 1; llama.vscode samples top_k 40, top_p
 * 0.99, infill), and no `n_indent`, which would end some answers early on one side only.
 * llama.vscode's editor-side rule of not triggering with more than `max_line_suffix` (8) characters
 * after the cursor is left to the caller.
 */
export function llamaVscodeInfill({ text, offset, maxTokens = 16, extra = [] }: LlamaVscodeInfillInput): LlamaServerInfillBody {
	const before = text.slice(0, offset);
	const after = text.slice(offset);
	const lineStart = before.lastIndexOf('\n') + 1;
	const lineEnd = after.indexOf('\n');
	const linesBefore = before.slice(0, lineStart).split('\n').slice(0, -1);
	const linesAfter = lineEnd < 0 ? [] : after.slice(lineEnd + 1).split('\n');
	const lineSuffix = lineEnd < 0 ? after : after.slice(0, lineEnd);
	return {
		input_prefix: linesBefore.slice(-llamaVscodeLines.before).join('\n') + '\n',
		input_suffix: lineSuffix + '\n' + linesAfter.slice(0, llamaVscodeLines.after).join('\n') + '\n',
		input_extra: extra,
		prompt: before.slice(lineStart),
		n_predict: maxTokens,
		top_k: 1,
		samplers: ['top_k'],
		stream: false,
		cache_prompt: true,
		t_max_prompt_ms: 500,
		t_max_predict_ms: 500,
	};
}
