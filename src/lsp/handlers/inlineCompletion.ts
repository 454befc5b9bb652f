import { InlineCompletionTriggerKind, type Connection, type Disposable, type InlineCompletionList, type TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Runtime } from '../../runtime';
import { CompletionResultCache } from '../CompletionResultCache';
import { completionStatsText } from '../../shared/completionStatsText';
import { fimTextAround } from '../documentContext';
import type { ExtraContextService } from '../extraContext/ExtraContextService';
import { InflightCompletions, type SettledGeneration } from '../InflightCompletions';
import { Prefetcher } from '../Prefetcher';
import { CompletionStatsNotification, type CompletionStatsInfo } from '../../shared/protocol';
import { runSafeAsync, type HandlerLog } from '../runSafe';

export interface InlineCompletionLog extends HandlerLog {
	info(message: string): void;
}

/**
 * Lines above the cursor start on a multiple of this, so typing new lines does not move the prompt's
 * start and the KV cache for the whole prefix stays valid.
 */
const firstLineAlignment = 32;

/**
 * `textDocument/inlineCompletion`: suggestions at the cursor, from the typed-through cache, a
 * generation already running for it, or a new one; disposing aborts the generations in flight.
 */
export function registerInlineCompletion(connection: Connection, documents: TextDocuments<TextDocument>, runtime: Runtime, log: InlineCompletionLog, extraContext: ExtraContextService): Disposable {
	const results = new CompletionResultCache();
	const where = (uri: string, before: string) => `${uri.split('/').pop()}:${lineOf(before) + 1}`;
	const inflight = new InflightCompletions({
		start: async (state, control) => runtime.complete({
			...fimTextAround(state.before, state.after, { alignFirstLine: firstLineAlignment }),
			// The workspace-relative file name, the workspace's name and the extra-context ring's chunks.
			...await extraContext.forRequest(state.uri),
			signal: control.signal,
			alternativesSignal: control.alternativesSignal,
			onText: control.onText,
			// Extra suggestions cost time: computed when the user asks (cycling sends an explicit request), else the best alone.
			...(control.alternatives ? {} : { candidates: 1 }),
		}),
		onSettled: generation => {
			const { state, result } = generation;
			results.remember(state.uri, state.before, state.after, [result.text, ...result.alternatives], generation.alternatives);
			const info = statsOf(generation);
			log.info(`completion ${where(state.uri, state.before)}: ${generation.prefetch ? 'prefetched for after acceptance, ' : ''}${completionStatsText(info)}${result.alternatives.length > 0 ? ` · ${result.alternatives.length} more suggestions` : ''}`);
			// The status shows what the user waited for; a prefetch nobody has asked for is not that.
			if (!generation.prefetch) {
				void connection.sendNotification(CompletionStatsNotification.type, info);
			}
		},
	});
	const prefetcher = new Prefetcher({ inflight, results });
	documents.onDidClose(({ document }) => results.clear(document.uri));
	connection.languages.inlineCompletion.on((params, token) => {
		const uri = params.textDocument.uri;
		return runSafeAsync(log, async (signal): Promise<InlineCompletionList | null> => {
			const document = documents.get(uri);
			if (!document) {
				return null;
			}
			const version = document.version;
			const offset = document.offsetAt(params.position);
			const text = document.getText();
			const state = { uri, before: text.slice(0, offset), after: text.slice(offset) };
			const range = { start: params.position, end: params.position };
			const items = (suggestions: readonly string[]): InlineCompletionList => ({ items: suggestions.map(insertText => ({ insertText, range })) });
			// Explicit requests (Trigger Inline Suggestion, and Alt+] / Alt+[ when cycling) want every candidate.
			const alternatives = params.context.triggerKind === InlineCompletionTriggerKind.Invoked;
			const typedThrough = results.lookupAll(uri, state.before, state.after, { alternatives });
			if (typedThrough.length > 0) {
				log.info(`completion ${where(uri, state.before)}: served from the suggestion cache, no model call`);
				prefetcher.afterShown(state, typedThrough[0]!);
				return items(typedThrough);
			}
			const answer = await inflight.request(state, signal, { alternatives });
			if (answer.joined) {
				log.info(`completion ${where(uri, state.before)}: joined the ${answer.prefetched ? 'prefetch' : 'generation'} already running for it, no new model call`);
			}
			// An edit that arrived meanwhile makes the suggestion stale: the client has asked again.
			if (documents.get(uri)?.version !== version || answer.suggestions.length === 0) {
				return { items: [] };
			}
			prefetcher.afterShown(state, answer.suggestions[0]!);
			return items(answer.suggestions);
		}, { answer: null }, `Error while computing inline completion for ${uri}`, token);
	});
	return { dispose: () => inflight.abortAll() };
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
		line: lineOf(state.before),
		promptTokens: stats.promptTokens,
		cachedPromptTokens: stats.cachedPromptTokens,
		promptMs: stats.promptMs,
		generatedTokens: stats.generatedTokens,
		generationMs: stats.generationMs,
		totalMs: performance.now() - startedAt,
		cacheHit: stats.cachedPromptTokens >= stats.promptTokens / 2,
		stopReason: stats.stopReason,
		mode: stats.mode,
		extraContextTokens: stats.extraContextTokens,
		extraContextChunks: stats.extraContextChunks,
	};
}
