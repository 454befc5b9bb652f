import type { Connection, InlineCompletionList, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Runtime } from '../../runtime';
import { fimTextAt } from '../documentContext';
import { runSafeAsync, type HandlerLog } from '../runSafe';

export interface InlineCompletionLog extends HandlerLog {
	info(message: string): void;
}

/** `textDocument/inlineCompletion`: native fill-in-the-middle at the cursor. */
export function registerInlineCompletion(connection: Connection, documents: TextDocuments<TextDocument>, runtime: Runtime, log: InlineCompletionLog): void {
	connection.languages.inlineCompletion.on((params, token) => {
		const uri = params.textDocument.uri;
		return runSafeAsync(log, async (signal): Promise<InlineCompletionList | null> => {
			const document = documents.get(uri);
			if (!document) {
				return null;
			}
			const version = document.version;
			const result = await runtime.complete({ ...fimTextAt(document, params.position), signal });
			const { stats } = result;
			log.info(`completion ${uri.split('/').pop()}:${params.position.line + 1}: ${stats.promptTokens} prompt tokens (${stats.cachedPromptTokens} cached) in ${stats.promptMs.toFixed(0)} ms, ${stats.generatedTokens} generated in ${stats.generationMs.toFixed(0)} ms, stop: ${stats.stopReason}`);
			// An edit that arrived meanwhile makes the suggestion stale: the client has asked again.
			if (documents.get(uri)?.version !== version || result.text.trim().length === 0) {
				return { items: [] };
			}
			return { items: [{ insertText: result.text, range: { start: params.position, end: params.position } }] };
		}, null, `Error while computing inline completion for ${uri}`, token);
	});
}
