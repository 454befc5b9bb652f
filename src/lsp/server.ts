import { TextDocumentSyncKind, TextDocuments, type Connection, type InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CompletionService, Runtime, type Logger } from '../runtime';
import { registerChat } from './handlers/chat';
import { registerExplainImage } from './handlers/explainImage';
import { registerInlineCompletion } from './handlers/inlineCompletion';
import { registerModels } from './handlers/models';
import { defaultRuntimeSettings, RuntimeStateNotification, RuntimeStateRequest, type RuntimeSettings } from '../shared/protocol';
import { mergeSettings } from '../shared/mergeSettings';

/**
 * Wires Bora's runtime to an LSP connection. Transport-neutral: `main.ts` decides between IPC and
 * stdio. `commandLineSettings` are the standalone server's flags; the client's initialization
 * options and configuration pushes override them.
 */
export function startServer(connection: Connection, commandLineSettings: Record<string, unknown> = {}): void {
	const logger: Logger = {
		info: message => connection.console.info(message),
		warn: message => connection.console.warn(message),
		error: message => connection.console.error(message),
	};
	const runtime = new Runtime({ logger });
	const documents = new TextDocuments(TextDocument);
	let settings: RuntimeSettings = mergeSettings(defaultRuntimeSettings, commandLineSettings);
	const completion = new CompletionService({ backend: runtime, documents, logger, scheduler: runtime.scheduler });

	connection.onInitialize((params): InitializeResult => {
		settings = mergeSettings(settings, params.initializationOptions);
		completion.setWorkspace(params);
		completion.configure(settings);
		return {
			capabilities: {
				textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
				inlineCompletionProvider: true,
			},
			serverInfo: { name: 'bora-runtime', version: BORA_VERSION },
		};
	});
	connection.onInitialized(() => {
		void runtime.configure(settings);
		if (!settings.modelPath) {
			// Nothing will load, so no state change would ever tell the client that there is no model.
			void connection.sendNotification(RuntimeStateNotification.type, runtime.state);
		}
	});
	connection.onDidChangeConfiguration(({ settings: changed }) => {
		settings = mergeSettings(settings, changed);
		completion.configure(settings);
		void runtime.configure(settings);
	});

	let wasReady = false;
	runtime.onDidChangeState(state => {
		void connection.sendNotification(RuntimeStateNotification.type, state);
		if (state.kind === 'ready' && !wasReady) {
			completion.didBecomeReady();
		}
		wasReady = state.kind === 'ready';
	});
	connection.onRequest(RuntimeStateRequest.type, () => runtime.state);
	registerInlineCompletion(connection, documents, completion, logger);
	registerChat(connection, runtime, logger);
	registerExplainImage(connection, runtime, logger);
	registerModels(connection, runtime, logger);

	connection.onShutdown(() => {
		completion.dispose();
		return runtime.dispose();
	});
	documents.listen(connection);
	connection.listen();
}

declare const BORA_VERSION: string;
