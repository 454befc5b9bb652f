import type {
	BackendCompletionRequest, BackendCompletionResult, BackendPrefillRequest, BackendPrefillResult, CompletionAvailability, CompletionBackend, CompletionDocument, CompletionDocuments,
	CompletionStats,
} from '../../src/runtime';
import { TextDocument, type Position } from 'vscode-languageserver-textdocument';

/** One generation the service asked for; the test decides what it streams and how it ends. */
export interface FakeGeneration {
	readonly request: BackendCompletionRequest;
	/** Streams the first suggestion's raw text so far, as an engine does after each token. */
	stream(text: string): void;
	/** Ends the generation with a result; `text` is the best suggestion. */
	finish(result: Pick<BackendCompletionResult, 'text'> & Partial<BackendCompletionResult>): void;
	fail(error: unknown): void;
	/** Settles once the service aborted the generation. */
	readonly aborted: Promise<void>;
}

/** Stats for a fake result: nothing is real about them but their shape. */
export function fakeStats(generatedTokens = 4): CompletionStats {
	return {
		promptTokens: 100, cachedPromptTokens: 90, generatedTokens, promptMs: 5, generationMs: 20, stopReason: 'endOfGeneration', mode: 'fim', extraContextTokens: 0, extraContextChunks: 0,
	};
}

/**
 * A completion engine without a model: it records what the service asks, and each generation waits
 * for the test to stream and finish it (or answers at once with `answer`). Waiting is on promises,
 * never on time.
 */
export class FakeCompletionBackend implements CompletionBackend {
	availability: CompletionAvailability = { available: true };
	/** Answers every generation at once when set. */
	answer: ((request: BackendCompletionRequest) => string) | undefined;
	readonly generations: FakeGeneration[] = [];
	readonly prefills: BackendPrefillRequest[] = [];
	private readonly generationWaiters: Array<() => void> = [];
	private readonly prefillWaiters: Array<() => void> = [];

	completionAvailability(): CompletionAvailability {
		return this.availability;
	}

	complete(request: BackendCompletionRequest): Promise<BackendCompletionResult> {
		let resolve!: (result: BackendCompletionResult) => void;
		let reject!: (error: unknown) => void;
		const result = new Promise<BackendCompletionResult>((res, rej) => { resolve = res; reject = rej; });
		const aborted = new Promise<void>(wake => {
			const onAbort = () => {
				reject(request.signal.reason);
				wake();
			};
			if (request.signal.aborted) {
				onAbort();
			} else {
				request.signal.addEventListener('abort', onAbort, { once: true });
			}
		});
		this.generations.push({
			request,
			stream: text => request.onText(text),
			finish: ({ text, alternatives = [], stats = fakeStats(), emptyReason }) => resolve({ text, alternatives, stats, ...(emptyReason ? { emptyReason } : {}) }),
			fail: reject,
			aborted,
		});
		this.generationWaiters.splice(0).forEach(wake => wake());
		if (this.answer) {
			this.generations.at(-1)!.finish({ text: this.answer(request) });
		}
		return result;
	}

	prefillCompletion(request: BackendPrefillRequest): Promise<BackendPrefillResult | undefined> {
		this.prefills.push(request);
		this.prefillWaiters.splice(0).forEach(wake => wake());
		return Promise.resolve({ cachedTokens: 0, evaluatedTokens: 10, aborted: false });
	}

	/** Resolves with the `count`-th generation (1-based) once the service has started it. */
	async generation(count: number): Promise<FakeGeneration> {
		while (this.generations.length < count) {
			await new Promise<void>(wake => this.generationWaiters.push(wake));
		}
		return this.generations[count - 1]!;
	}

	/** Resolves with the `count`-th prefill (1-based) once the service has asked for it. */
	async prefill(count: number): Promise<BackendPrefillRequest> {
		while (this.prefills.length < count) {
			await new Promise<void>(wake => this.prefillWaiters.push(wake));
		}
		return this.prefills[count - 1]!;
	}
}

/** Open documents as the LSP server keeps them: one object per URI, changed in place, its version going up. */
export class FakeDocuments implements CompletionDocuments {
	private readonly documents = new Map<string, { uri: string; languageId: string; version: number; text: string; getText(): string; offsetAt(position: Position): number }>();

	/** Opens or replaces a document; `|` marks the cursor. Returns what a request at the cursor needs. */
	set(uri: string, textWithCursor: string): { document: CompletionDocument; version: number; offset: number } {
		const offset = textWithCursor.indexOf('|');
		const text = offset < 0 ? textWithCursor : textWithCursor.slice(0, offset) + textWithCursor.slice(offset + 1);
		let document = this.documents.get(uri);
		if (document) {
			document.text = text;
			document.version++;
		} else {
			document = {
				uri, languageId: 'javascript', version: 1, text,
				getText() { return this.text; },
				offsetAt(position) { return TextDocument.create(this.uri, this.languageId, this.version, this.text).offsetAt(position); },
			};
			this.documents.set(uri, document);
		}
		return { document, version: document.version, offset: Math.max(0, offset) };
	}

	get(uri: string): CompletionDocument | undefined {
		return this.documents.get(uri);
	}
}
