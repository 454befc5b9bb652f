import type { Connection, InlineCompletionList, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Runtime } from '../../runtime';
import { CompletionResultCache } from '../CompletionResultCache';
import { completionStatsText } from '../completionStatsText';
import { fimTextAt } from '../documentContext';
import type { ExtraContextService } from '../extraContext/ExtraContextService';
import { CompletionStatsNotification, type CompletionStatsInfo } from '../protocol';
import { runSafeAsync, type HandlerLog } from '../runSafe';

export interface InlineCompletionLog extends HandlerLog {
	info(message: string): void;
}

/**
 * Lines above the cursor start on a multiple of this, so typing new lines does not move the prompt's
 * start and the KV cache for the whole prefix stays valid.
 */
const firstLineAlignment = 32;

/** `textDocument/inlineCompletion`: native fill-in-the-middle at the cursor. */
export function registerInlineCompletion(connection: Connection, documents: TextDocuments<TextDocument>, runtime: Runtime, log: InlineCompletionLog, extraContext: ExtraContextService): void {
	const results = new CompletionResultCache();
	documents.onDidClose(({ document }) => results.clear(document.uri));
	connection.languages.inlineCompletion.on((params, token) => {
		const uri = params.textDocument.uri;
		return runSafeAsync(log, async (signal): Promise<InlineCompletionList | null> => {
			const started = performance.now();
			const document = documents.get(uri);
			if (!document) {
				return null;
			}
			const version = document.version;
			const offset = document.offsetAt(params.position);
			const text = document.getText();
			const before = text.slice(0, offset);
			const after = text.slice(offset);
			const range = { start: params.position, end: params.position };
			const typedThrough = results.lookup(uri, before, after);
			if (typedThrough !== undefined) {
				log.info(`completion ${uri.split('/').pop()}:${params.position.line + 1}: typed through a shown suggestion, no model call`);
				return { items: [{ insertText: typedThrough, range }] };
			}
			const result = await runtime.complete({
				...fimTextAt(document, params.position, { alignFirstLine: firstLineAlignment }),
				...await extraContext.forRequest(uri),
				signal,
			});
			const { stats } = result;
			const info: CompletionStatsInfo = {
				uri,
				line: params.position.line,
				promptTokens: stats.promptTokens,
				cachedPromptTokens: stats.cachedPromptTokens,
				promptMs: stats.promptMs,
				generatedTokens: stats.generatedTokens,
				generationMs: stats.generationMs,
				totalMs: performance.now() - started,
				cacheHit: stats.cachedPromptTokens >= stats.promptTokens / 2,
				stopReason: stats.stopReason,
				mode: stats.mode,
				extraContextTokens: stats.extraContextTokens,
				extraContextChunks: stats.extraContextChunks,
			};
			log.info(`completion ${uri.split('/').pop()}:${params.position.line + 1}: ${completionStatsText(info)}`);
			void connection.sendNotification(CompletionStatsNotification.type, info);
			// An edit that arrived meanwhile makes the suggestion stale: the client has asked again.
			if (documents.get(uri)?.version !== version || result.text.trim().length === 0) {
				return { items: [] };
			}
			results.remember(uri, before, after, result.text);
			return { items: [{ insertText: result.text, range }] };
		}, null, `Error while computing inline completion for ${uri}`, token);
	});
}
