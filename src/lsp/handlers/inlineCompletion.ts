import { InlineCompletionTriggerKind, type Connection, type InlineCompletionList, type TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { RuntimeError, type CompletionService } from '../../runtime';
import { CompletionStatsNotification, EditorContextNotification, NoSuggestionNotification } from '../../shared/protocol';
import { runSafeAsync, type HandlerLog } from '../runSafe';

/**
 * `textDocument/inlineCompletion` over the completion service, which decides everything; this maps
 * the params in and the outcome out, and forwards the document events and editor context it needs.
 */
export function registerInlineCompletion(connection: Connection, documents: TextDocuments<TextDocument>, completion: CompletionService, log: HandlerLog): void {
	documents.onDidChangeContent(({ document }) => completion.didChangeContent(document));
	documents.onDidClose(({ document }) => completion.didClose(document.uri));
	connection.onNotification(EditorContextNotification.type, params => completion.didChangeEditorContext(params));
	completion.onDidSettleGeneration(info => void connection.sendNotification(CompletionStatsNotification.type, info));
	connection.languages.inlineCompletion.on((params, token) => runSafeAsync(log, async (signal): Promise<InlineCompletionList | null> => {
		const document = documents.get(params.textDocument.uri);
		if (!document) {
			return null;
		}
		// Clamped to the text, whatever position the client sent.
		const offset = document.offsetAt(params.position);
		const outcome = await completion.complete({
			document, version: document.version, offset, line: document.positionAt(offset).line, signal,
			// Trigger Inline Suggestion, and Alt+] / Alt+[ when cycling.
			explicit: params.context.triggerKind === InlineCompletionTriggerKind.Invoked,
		});
		if (outcome.kind === 'suggestions') {
			return { items: outcome.suggestions.map(insertText => ({ insertText, range: { start: params.position, end: params.position } })) };
		}
		if (outcome.kind === 'none') {
			void connection.sendNotification(NoSuggestionNotification.type, outcome.info);
			if (outcome.error) {
				// Answered as a typed error too, which clients without the notification show.
				throw new RuntimeError(outcome.error);
			}
		}
		return { items: [] };
	}, { answer: null }, `Error while computing inline completion for ${params.textDocument.uri}`, token));
}
