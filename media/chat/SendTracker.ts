/**
 * Whether the panel takes a new message. It is busy from the moment the user sends (the host may
 * take a while to read the context and store an image before the turn starts) until that turn has
 * finished, and it keeps the draft until the host has started the turn for it.
 */
export class SendTracker {
	private streaming = false;
	private pending: number | undefined;
	private lastId = 0;

	get busy(): boolean {
		return this.streaming || this.pending !== undefined;
	}

	/** A sent message waits for its turn; its draft is still in the input and should not change. */
	get awaitingTurn(): boolean {
		return this.pending !== undefined;
	}

	/** The user sent a message; its id goes with the `send`, and its `turnStarted` carries it back. */
	sent(): number {
		this.pending = ++this.lastId;
		return this.pending;
	}

	/** A turn started streaming. True when it is the panel's pending message: its draft can be cleared. */
	turnStarted(sendId: number | undefined): boolean {
		this.streaming = true;
		if (sendId === undefined || sendId !== this.pending) {
			return false;
		}
		this.pending = undefined;
		return true;
	}

	turnFinished(): void {
		this.streaming = false;
	}

	/**
	 * The host redrew the chat; `streaming` says whether its last turn streams. A message still
	 * pending will not start (refused, stopped or the chat changed), so the draft stays in the input.
	 */
	state(streaming: boolean): void {
		this.streaming = streaming;
		this.pending = undefined;
	}
}
