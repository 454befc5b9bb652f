import { CompletionService, defaultRuntimeSettings, type CompletionOutcome, type CompletionServiceOptions, type CompletionServiceSettings, type Logger } from '../../src/runtime';
import type { CompletionStatsInfo } from '../../src/shared/protocol';
import { FakeCompletionBackend, FakeDocuments } from './FakeCompletionBackend';

export interface AskOptions {
	/** Defaults to `false`: an automatic request, as typing sends. */
	readonly explicit?: boolean;
	readonly signal?: AbortSignal;
}

/** A completion service over a fake engine, with what it logged and reported. */
export interface ServiceUnderTest {
	readonly service: CompletionService;
	readonly backend: FakeCompletionBackend;
	readonly documents: FakeDocuments;
	readonly logs: string[];
	readonly stats: CompletionStatsInfo[];
	/** Sets the document to `textWithCursor` (`|` is the cursor), forwards the change as the LSP glue does, and asks there. */
	ask(uri: string, textWithCursor: string, options?: AskOptions): Promise<CompletionOutcome>;
}

export function serviceUnderTest(settings: Partial<CompletionServiceSettings> = {}, options: Partial<CompletionServiceOptions> = {}): ServiceUnderTest {
	const backend = new FakeCompletionBackend();
	const documents = new FakeDocuments();
	const logs: string[] = [];
	const logger: Logger = { info: message => logs.push(message), warn: message => logs.push(message), error: message => logs.push(message) };
	// A long grace period: only the test about it depends on it running out.
	const service = new CompletionService({ backend, documents, logger, graceMs: 600_000, ...options });
	service.configure({ ...defaultRuntimeSettings, ...settings });
	service.setWorkspace({ workspaceFolders: [{ uri: 'file:///ws', name: 'ws' }] });
	const stats: CompletionStatsInfo[] = [];
	service.onDidSettleGeneration(info => stats.push(info));
	return {
		service, backend, documents, logs, stats,
		ask: (uri, textWithCursor, { explicit = false, signal } = {}) => {
			const { document, version, offset } = documents.set(uri, textWithCursor);
			service.didChangeContent(document);
			return service.complete({ document, version, offset, explicit, signal });
		},
	};
}

/** The suggestions of an outcome, or what it was instead. */
export function suggestionsOf(outcome: CompletionOutcome): readonly string[] | string {
	return outcome.kind === 'suggestions' ? outcome.suggestions : outcome.kind === 'none' ? outcome.info.reason : outcome.kind;
}
