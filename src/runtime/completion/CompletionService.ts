import { completionStatsText } from '../../shared/completionStatsText';
import type { CompletionStatsInfo, EditorContextParams, NoSuggestionInfo, NoSuggestionReason } from '../../shared/protocol';
import { defaultRuntimeSettings, type RuntimeErrorInfo, type RuntimeSettings } from '../../shared/types';
import { RuntimeError } from '../errors/RuntimeError';
import { silentLogger, type Logger } from '../Logger';
import type { BackendCompletionResult, BackendPrefillResult, CompletionBackend } from './CompletionBackend';
import type { CompletionDocument, CompletionDocuments } from './CompletionDocument';
import { CompletionResultCache } from './CompletionResultCache';
import type { Scheduler } from '../scheduler/Scheduler';
import { ExtraContextService, type ExtraContextServiceOptions, type HeadPrefillRequest } from './extraContext/ExtraContextService';
import type { WorkspaceFolders } from './extraContext/WorkspaceNames';
import { InflightCompletions, type GenerationControl, type SettledGeneration } from './InflightCompletions';
import { charWindow, lineWindow, suffixCharsOnLine, type LineWindow, type LineWindowOptions } from './lineWindow';
import { noSuggestionMessage } from './noSuggestionMessage';
import type { CompletionState } from './typedThrough';

/** The settings the service decides with. */
export type CompletionServiceSettings = Pick<RuntimeSettings, 'completionEnabled' | 'completionCandidates' | 'maxSuffixCharsOnLine' | 'extraContextEnabled' | 'extraContextMaxTokens' | 'extraContextExclude' | 'filesExclude'>;

export interface CompletionServiceOptions {
	/** What generates the suggestions: the local engine (`Runtime`) or a remote one. */
	readonly backend: CompletionBackend;
	/** The open documents, for the version check and the extra context. */
	readonly documents: CompletionDocuments;
	/** Defaults to a logger that drops everything. */
	readonly logger?: Logger;
	/** How long a generation nobody waits for is kept for a request that continues it. Defaults to `200` ms. */
	readonly graceMs?: number;
	/** Defaults to {@link ExtraContextService}'s. */
	readonly extraContext?: ExtraContextServiceOptions;
	/** Where the idle prefill measures its quiet time and runs: the runtime's. Defaults to one of its own. */
	readonly scheduler?: Scheduler;
}

/** One inline completion request. */
export interface CompletionQuery {
	readonly document: CompletionDocument;
	/** The document's version the request was made for. */
	readonly version: number;
	/** The cursor, as an offset into the document's text. */
	readonly offset: number;
	/** The cursor's zero-based line, for the log and the stats. Defaults to counting the lines before `offset`. */
	readonly line?: number;
	/** Asked for by the user (Trigger Inline Suggestion, cycling with Alt+] / Alt+[) rather than by typing. */
	readonly explicit: boolean;
	/** Rejects the request with its reason once aborted. Defaults to never. */
	readonly signal?: AbortSignal;
}

export type CompletionOutcome =
	| { readonly kind: 'suggestions'; readonly suggestions: readonly string[] }
	/** No suggestion, and why; `error` when no completion can run now (turned off, no model, a mode the model lacks), with what the user can do. */
	| { readonly kind: 'none'; readonly info: NoSuggestionInfo; readonly error?: RuntimeErrorInfo }
	/** A later request that did not continue this one stopped its generation: the editor has moved on, nothing to tell. */
	| { readonly kind: 'superseded' };

/**
 * Lines above the cursor start on a multiple of 32, so typing new lines does not move the prompt's
 * start and the KV cache for the whole prefix stays valid; the characters, whatever the lines, are
 * bounded by {@link charWindow}'s defaults, so one huge line costs what a normal file does.
 */
export const completionWindow: LineWindowOptions = { alignFirstLine: 32 };

const disabledError: RuntimeErrorInfo = {
	code: 'completionDisabled', message: 'Inline completion is turned off.', action: 'Run "Bora: Toggle Inline Completion" or set bora.completion.enabled.',
};

/**
 * The one owner of an inline completion request, transport-free: it decides whether a suggestion
 * can come at all (and says why not), how many to compute, and where they come from: the
 * typed-through cache, a generation already running that the typed text agrees with, or a new
 * one, with the line window and the extra context as its prompt. After a suggestion is shown it
 * prefetches the next one, and while the user is idle it has the extra context evaluated ahead.
 */
export class CompletionService implements Disposable {
	private settings: CompletionServiceSettings = defaultRuntimeSettings;
	private readonly backend: CompletionBackend;
	private readonly documents: CompletionDocuments;
	private readonly logger: Logger;
	private readonly results = new CompletionResultCache();
	private readonly inflight: InflightCompletions;
	private readonly extraContext: ExtraContextService;
	private readonly statsListeners = new Set<(info: CompletionStatsInfo) => void>();
	/** The last "cannot complete" message logged, so an engine that is not ready does not log it on every keystroke. */
	private lastUnavailable: string | undefined;

	constructor({ backend, documents, logger = silentLogger, graceMs, extraContext, scheduler }: CompletionServiceOptions) {
		this.backend = backend;
		this.documents = documents;
		this.logger = logger;
		this.extraContext = new ExtraContextService(documents, (request, signal) => this.prefill(request, signal), logger, { ...extraContext, ...(scheduler ? { scheduler } : {}) });
		this.inflight = new InflightCompletions({ graceMs, start: (state, control) => this.generate(state, control), onSettled: generation => this.onSettled(generation) });
	}

	configure(settings: CompletionServiceSettings): void {
		this.settings = settings;
		this.extraContext.configure(settings);
	}

	/** The workspace's folders, for the file and repository names prompts show. */
	setWorkspace(workspace: WorkspaceFolders): void {
		this.extraContext.setWorkspace(workspace);
	}

	/** A document was opened or changed. */
	didChangeContent(document: CompletionDocument): void {
		this.extraContext.didChangeContent(document);
	}

	didClose(uri: string): void {
		this.results.clear(uri);
		this.extraContext.didClose(uri);
	}

	/** The client's `bora/editorContext`: the active editor, the lines it shows, copied text. */
	didChangeEditorContext(params: EditorContextParams): void {
		this.extraContext.didChangeEditorContext(params);
	}

	/** A model became ready: the focused document's prompt is evaluated ahead on it (the client reported the editor before the load ended). */
	didBecomeReady(): void {
		this.extraContext.refocus();
	}

	/** Told the stats of each generation a request asked for (not of prefetches nobody asked for yet). */
	onDidSettleGeneration(listener: (info: CompletionStatsInfo) => void): { dispose(): void } {
		this.statsListeners.add(listener);
		return { dispose: () => this.statsListeners.delete(listener) };
	}

	async complete({ document, version, offset, line, explicit, signal = new AbortController().signal }: CompletionQuery): Promise<CompletionOutcome> {
		signal.throwIfAborted();
		const text = document.getText();
		// Only what the prompt can see: caches compare and keep this, never the whole text (a 10 MiB line made every keystroke cost seconds).
		const state: CompletionState = { uri: document.uri, ...charWindow(text.slice(0, offset), text.slice(offset), completionWindow), line: line ?? lineOf(text.slice(0, offset)) };
		if (!this.settings.completionEnabled) {
			return this.none(state, 'disabled', signal, { error: disabledError });
		}
		const availability = this.backend.completionAvailability();
		if (!availability.available) {
			return this.none(state, availability.reason, signal, { error: availability.error });
		}
		this.lastUnavailable = undefined;
		const maxSuffixChars = this.settings.maxSuffixCharsOnLine ?? defaultRuntimeSettings.maxSuffixCharsOnLine;
		const rightOfCursor = suffixCharsOnLine(state.after);
		// Explicit requests always go through; typing mid-line with much to the right rarely wants a suggestion (as llama.vscode).
		if (!explicit && rightOfCursor > maxSuffixChars) {
			return this.none(state, 'suffixOnLine', signal, { detail: `${rightOfCursor} characters; bora.completion.maxSuffixCharsOnLine is ${maxSuffixChars}` });
		}
		// Extra suggestions cost time: computed when the user asks (cycling sends an explicit request), else the best alone.
		const candidates = explicit ? this.settings.completionCandidates ?? defaultRuntimeSettings.completionCandidates : 1;
		const typedThrough = this.results.lookup(state, { candidates });
		if (typedThrough.length > 0) {
			this.logger.info(`completion ${where(state)}: served from the suggestion cache, no model call`);
			this.afterShown(state, typedThrough[0]!);
			return { kind: 'suggestions', suggestions: typedThrough };
		}
		let answer;
		try {
			answer = await this.inflight.request(state, signal, { candidates });
		} catch (error) {
			// The engine became unable meanwhile (a reload failed, the model went): the same answer as when it was unable from the start.
			const now = this.backend.completionAvailability();
			if (error instanceof RuntimeError && !now.available && !signal.aborted) {
				return this.none(state, now.reason, signal, { error: error.toInfo() });
			}
			throw error;
		}
		if (answer.kind === 'superseded') {
			signal.throwIfAborted();
			return answer;
		}
		if (answer.joined) {
			this.logger.info(`completion ${where(state)}: joined the ${answer.prefetched ? 'prefetch' : 'generation'} already running for it, no new model call`);
		}
		// An edit that arrived meanwhile makes the suggestion stale: the client has asked again.
		if (this.documents.get(document.uri)?.version !== version) {
			return this.none(state, 'stale', signal);
		}
		if (answer.suggestions.length === 0) {
			return this.none(state, answer.emptyReason ?? 'empty', signal);
		}
		this.afterShown(state, answer.suggestions[0]!);
		return { kind: 'suggestions', suggestions: answer.suggestions };
	}

	dispose(): void {
		this.inflight.abortAll();
		this.extraContext.dispose();
		this.statsListeners.clear();
	}

	[Symbol.dispose](): void {
		this.dispose();
	}

	/** No suggestion, said once in the log; a cancelled request is answered by its cancellation instead. */
	private none(state: CompletionState, reason: NoSuggestionReason, signal: AbortSignal, { error, detail }: { readonly error?: RuntimeErrorInfo; readonly detail?: string } = {}): CompletionOutcome {
		signal.throwIfAborted();
		const message = error?.message ?? `${noSuggestionMessage(reason)}${detail ? ` (${detail})` : ''}`;
		// While the engine cannot complete at all, every keystroke would say the same.
		if (!error || message !== this.lastUnavailable) {
			this.logger.info(`completion ${where(state)}: no suggestion: ${message}`);
		}
		this.lastUnavailable = error ? message : undefined;
		const info: NoSuggestionInfo = { uri: state.uri, line: state.line, reason, message };
		return error ? { kind: 'none', info, error } : { kind: 'none', info };
	}

	/**
	 * While a suggestion is shown, computes the next one for the state after accepting it, so
	 * accepting and going on is answered with no model call. It runs as a generation nobody waits
	 * for: a request for that state joins it, and any other request that needs the model aborts it.
	 */
	private afterShown(state: CompletionState, suggestion: string): void {
		const accepted: CompletionState = { uri: state.uri, before: state.before + suggestion, after: state.after, line: state.line + lineOf(suggestion) };
		if (suggestion.trim() === '' || this.results.lookup(accepted, { candidates: 1 }).length > 0) {
			return;
		}
		this.inflight.prefetch(accepted);
	}

	private async generate(state: CompletionState, control: GenerationControl): Promise<BackendCompletionResult> {
		return this.backend.complete({
			...promptWindowOf(state),
			// The workspace-relative file name, the workspace's name and the extra-context ring's chunks.
			...await this.extraContext.forRequest(state.uri),
			candidates: control.candidates,
			signal: control.signal,
			alternativesSignal: control.alternativesSignal,
			onText: control.onText,
			lane: control.prefetch ? 'speculative' : 'interactive',
		});
	}

	private onSettled(generation: SettledGeneration): void {
		const { state, result } = generation;
		this.results.remember(state, [result.text, ...result.alternatives], generation.candidates);
		const info = statsOf(generation);
		const more = result.alternatives.length > 0 ? ` · ${result.alternatives.length} more suggestions` : '';
		this.logger.info(`completion ${where(state)}: ${generation.prefetch ? 'prefetched for after acceptance, ' : ''}${completionStatsText(info)}${more}`);
		// The status shows what the user waited for; a prefetch nobody has asked for is not that.
		if (!generation.prefetch) {
			for (const listener of [...this.statsListeners]) {
				try {
					listener(info);
				} catch (error) {
					this.logger.error(`Completion stats listener failed: ${String(error)}`);
				}
			}
		}
	}

	/** With a focused cursor, the whole prompt a request there would have: the user's first keystroke re-evaluates only its line. */
	private prefill({ focus, ...request }: HeadPrefillRequest, signal: AbortSignal): Promise<BackendPrefillResult | undefined> {
		if (!this.settings.completionEnabled) {
			return Promise.resolve(undefined);
		}
		const document = focus && this.documents.get(focus.uri);
		if (!focus || !document) {
			return this.backend.prefillCompletion(request, signal);
		}
		const text = document.getText();
		const offset = document.offsetAt(focus.cursor);
		const state: CompletionState = { uri: document.uri, ...charWindow(text.slice(0, offset), text.slice(offset), completionWindow), line: focus.cursor.line };
		return this.backend.prefillCompletion({ ...request, ...promptWindowOf(state) }, signal);
	}
}

/** The text around the cursor that a state's prompt is built from. */
function promptWindowOf(state: CompletionState): LineWindow {
	return lineWindow(state.before, state.after, completionWindow);
}

function windowCharsOf(state: CompletionState): number {
	const { prefix, suffix } = promptWindowOf(state);
	return prefix.length + suffix.length;
}

/** The offset of an LSP position in `text`, clamped to its line and to the text (both count UTF-16 units). */
/** `add.js:12`, for the log. */
function where(state: CompletionState): string {
	return `${state.uri.split('/').pop()}:${state.line + 1}`;
}

/** Zero-based line of the end of `text`. */
function lineOf(text: string): number {
	let line = 0;
	for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) {
		line++;
	}
	return line;
}

function statsOf({ state, result: { stats }, startedAt }: SettledGeneration): CompletionStatsInfo {
	return {
		uri: state.uri,
		line: state.line,
		promptTokens: stats.promptTokens,
		cachedPromptTokens: stats.cachedPromptTokens,
		promptMs: stats.promptMs,
		generatedTokens: stats.generatedTokens,
		generationMs: stats.generationMs,
		totalMs: performance.now() - startedAt,
		cacheHit: stats.cachedPromptTokens >= stats.promptTokens / 2,
		...(stats.contextCreateMs === undefined ? {} : { contextCreateMs: stats.contextCreateMs }),
		...(stats.draftTokens ? { draftTokens: stats.draftTokens } : {}),
		stopReason: stats.stopReason,
		mode: stats.mode,
		extraContextTokens: stats.extraContextTokens,
		extraContextChunks: stats.extraContextChunks,
		windowChars: windowCharsOf(state),
	};
}
