import { TokenPredictor, type LlamaContextSequence, type Token } from 'node-llama-cpp';

export interface DraftTokenPredictorOptions {
	/**
	 * Guesses per round at most. Defaults to `1`: node-llama-cpp 3.21.1 confirms only the first
	 * guess of a batch (`_speculativeEvaluate` compares each later guess against an entry of
	 * `validatedTokens`, a list it never fills), so a second guess is always thrown away with its KV
	 * cache. One right guess still gives two tokens for one evaluation.
	 */
	readonly maxTokens?: number;
	/** A guess the draft model is less sure of than this ends the round (it would likely be refuted). Defaults to `0.5`. */
	readonly minConfidence?: number;
}

/**
 * Speculative decoding as draft-then-verify: when the model is about to evaluate its next token,
 * the draft model (same vocabulary, far smaller) catches up with the tokens the model has and
 * greedily guesses what comes next; node-llama-cpp then evaluates the guesses in the model's batch
 * with that token and keeps the guesses the model would have written itself, so the output is
 * exactly the greedy one.
 *
 * node-llama-cpp's own `DraftSequenceTokenPredictor` guesses on other threads while the model
 * evaluates and never makes it wait (with its default `minTokens` of 0). On a CPU the two compete
 * for the same cores, and a draft no faster than the model never got a guess in (no guess
 * confirmed in 40 tokens with the model as its own draft); asking it to wait
 * (`minTokens` > 0) hung generation in 3.21.1 when a refutation aborted the draft's loop while the
 * model waited. Here the draft runs only inside `predictTokens`, one thing at a time.
 */
export class DraftTokenPredictor extends TokenPredictor {
	/** The tokens the model's sequence holds or is about to evaluate, in order. */
	private target: Token[] = [];
	private readonly maxTokens: number;
	private readonly minConfidence: number;
	private stopped = new AbortController();

	constructor(private readonly draft: LlamaContextSequence, { maxTokens = 1, minConfidence = 0.5 }: DraftTokenPredictorOptions = {}) {
		super();
		this.maxTokens = maxTokens;
		this.minConfidence = minConfidence;
	}

	reset({ stateTokens }: { stateTokens: Token[] }): void {
		this.target = stateTokens.slice();
	}

	pushTokens(tokens: Token[]): void {
		this.target.push(...tokens);
	}

	async predictTokens(): Promise<Token[]> {
		const stop = this.stopped.signal;
		const target = this.target.slice();
		if (target.length === 0 || this.draft.disposed) {
			return [];
		}
		// The last token is the model's input now: the draft evaluates it too, and guesses what follows.
		await this.draft.adaptStateToTokens(target.slice(0, -1), false);
		const input = target.slice(this.draft.nextTokenIndex);
		const room = this.draft.contextSize - this.draft.nextTokenIndex - input.length;
		const guesses: Token[] = [];
		if (room <= 0 || stop.aborted) {
			return guesses;
		}
		for await (const { token, confidence } of this.draft.evaluateWithMetadata(input, { confidence: true }, { temperature: 0, yieldEogToken: true })) {
			if (stop.aborted || (confidence ?? 1) < this.minConfidence) {
				break;
			}
			guesses.push(token);
			if (guesses.length >= Math.min(this.maxTokens, room) || this.draft.model.isEogToken(token)) {
				break;
			}
		}
		return guesses;
	}

	override stop(): void {
		// The round in progress ends at its next guess; the next round starts afresh.
		this.stopped.abort();
		this.stopped = new AbortController();
	}

	override dispose(): void {
		this.stop();
	}
}
