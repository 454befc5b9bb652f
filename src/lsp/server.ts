import { TextDocumentSyncKind, TextDocuments, type Connection, type InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { RuntimeHost, type ClientSession, type Logger } from '../runtime';
import { registerChat } from './handlers/chat';
import { registerExplainImage } from './handlers/explainImage';
import { registerInlineCompletion } from './handlers/inlineCompletion';
import { registerModels } from './handlers/models';
import { registerRemote } from './handlers/remote';
import { defaultRuntimeSettings, RuntimeStateNotification, RuntimeStateRequest, type RuntimeSettings } from '../shared/protocol';
import { SharedRuntimeExitRequest, SharedRuntimeStatusNotification, SharedRuntimeStatusRequest, WindowStateNotification } from '../shared/sharedRuntime';
import { mergeSettings } from '../shared/mergeSettings';
import { llamaLogLevelOf } from './llamaLogLevel';

export interface ServeClientOptions {
	/** The standalone server's flags; the client's initialization options and configuration pushes override them. Defaults to none. */
	readonly commandLineSettings?: Record<string, unknown>;
	/** `bora/sharedRuntimeExit` was answered: the shared runtime exits. Defaults to refusing the request (a runtime of its own exits with its client). */
	readonly onExitRequest?: () => void;
}

/**
 * Wires one client's LSP connection to a session of `host`: its documents, its completion service,
 * the runtime its settings share with other clients. The same registration serves a runtime of its
 * own (`startServer`) and each connection of the shared runtime. Returns the session; the caller
 * closes it when the connection ends.
 */
export function serveClient(connection: Connection, host: RuntimeHost, { commandLineSettings = {}, onExitRequest }: ServeClientOptions = {}): ClientSession {
	const documents = new TextDocuments(TextDocument);
	let settings: RuntimeSettings = mergeSettings(defaultRuntimeSettings, commandLineSettings);
	const session = host.openSession({ documents, logger: connectionLogger(connection), settings });
	const logger = session.logger;

	/** Applies settings; a runtime other clients already set up changes no state by itself, so its current one is sent. */
	const configure = () => {
		const before = session.attachedRuntime;
		const { configured } = session.configure(settings);
		const runtime = session.runtime;
		if (runtime !== before && (!settings.modelPath || runtime.state.kind !== 'idle') && settings.engine !== 'remote') {
			// Nothing will load (or the load is someone else's, under way or done): no state change would tell the client.
			whileConnected(() => connection.sendNotification(RuntimeStateNotification.type, session.runtimeState));
		}
		// Failures are states, sent as notifications.
		configured.catch((error: unknown) => logger.error(`Applying settings: ${error instanceof Error ? error.message : String(error)}`));
	};

	connection.onInitialize((params): InitializeResult => {
		settings = mergeSettings(settings, params.initializationOptions);
		session.pid = params.processId ?? undefined;
		const workspaceName = params.workspaceFolders?.[0]?.name;
		if (workspaceName) {
			session.name = workspaceName;
		}
		session.setWorkspace(params);
		session.completion.configure(settings);
		return {
			capabilities: {
				textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
				inlineCompletionProvider: true,
			},
			serverInfo: { name: 'bora-runtime', version: BORA_VERSION },
		};
	});
	connection.onInitialized(() => configure());
	connection.onDidChangeConfiguration(({ settings: changed }) => {
		settings = mergeSettings(settings, changed);
		configure();
	});

	session.onDidChangeRuntimeState(state => whileConnected(() => connection.sendNotification(RuntimeStateNotification.type, state)));
	connection.onRequest(RuntimeStateRequest.type, () => session.runtimeState);
	registerInlineCompletion(connection, documents, session.completion, logger);
	registerChat(connection, () => session, logger);
	registerExplainImage(connection, () => session, logger);
	registerRemote(connection, session, logger);
	registerModels(connection, () => session.runtime, logger);

	connection.onNotification(WindowStateNotification.type, params => {
		if (params && typeof params.name === 'string' && typeof params.focused === 'boolean') {
			session.setWindowState(params.name, params.focused);
		}
	});
	connection.onRequest(SharedRuntimeStatusRequest.type, () => host.status(session));
	if (host.shared) {
		const subscription = host.onDidChange(() => whileConnected(() => connection.sendNotification(SharedRuntimeStatusNotification.type, host.status(session))));
		session.onDidClose(() => subscription.dispose());
	}
	connection.onRequest(SharedRuntimeExitRequest.type, () => {
		if (!onExitRequest) {
			logger.warn('bora/sharedRuntimeExit: this runtime is not shared; it exits with its client.');
			return;
		}
		logger.info('bora/sharedRuntimeExit: the shared runtime exits at the request of this window.');
		// After the answer is written.
		setImmediate(onExitRequest);
	});

	documents.listen(connection);
	return session;
}

/**
 * Wires a runtime of its own to one LSP connection (IPC from VS Code with bora.runtime.shared off,
 * `--stdio` from other editors): the process ends with the connection. `commandLineSettings` are the
 * standalone server's flags.
 */
export function startServer(connection: Connection, commandLineSettings: Record<string, unknown> = {}): void {
	// The process has one client: llama.cpp's own messages go to its log too.
	const host = new RuntimeHost({ shared: false, logger: connectionLogger(connection), llamaLogLevel: llamaLogLevelOf(process.env) });
	serveClient(connection, host, { commandLineSettings });
	connection.onShutdown(() => host.dispose());
	connection.listen();
}

/** A shared runtime's client may be gone (its socket closed) while its work still ends and logs: nothing to tell it then. */
function whileConnected(send: () => unknown): void {
	try {
		void Promise.resolve(send()).catch(() => undefined);
	} catch {
		// The connection is disposed.
	}
}

/** The client's log (its output channel). */
function connectionLogger(connection: Connection): Logger {
	return {
		info: message => whileConnected(() => connection.console.info(message)),
		warn: message => whileConnected(() => connection.console.warn(message)),
		error: message => whileConnected(() => connection.console.error(message)),
	};
}

declare const BORA_VERSION: string;
