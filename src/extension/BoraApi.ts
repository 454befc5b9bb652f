import type * as vscode from 'vscode';
import type { CompletionStatsInfo, RemoteEngineReport, RemoteEngineStatus } from '../shared/protocol';
import type { SharedRuntimeStatus } from '../shared/sharedRuntime';
import type { ChatApi } from './chat/registerChat';
import type { ClientState } from './ClientState';
import type { RuntimeStatusReport } from './commands';
import type { ErrorActionRun } from './ErrorActionRunner';
import type { ErrorAction, ErrorActionButton } from './errorActions';
import type { ModelsApi } from './models/registerModels';

/** The runtime process behind this window, as the e2e suites check it. */
export interface RuntimeApi {
	/** Whether this window talks to the shared runtime (`bora.runtime.shared`, read at each start). */
	readonly isShared: boolean;
	/** The runtime's last reported status (pid, windows, models); undefined while none is connected. */
	readonly sharedStatus: SharedRuntimeStatus | undefined;
	readonly onDidChangeSharedStatus: vscode.Event<SharedRuntimeStatus | undefined>;
	/** Fires after each connection is initialized, reconnects included. */
	readonly onDidConnect: vscode.Event<void>;
	/** What **Bora: Show Runtime Status** lists, asked now. */
	status(): Promise<RuntimeStatusReport>;
	/** Asks the runtime for its status now. */
	refreshSharedStatus(): Promise<SharedRuntimeStatus>;
}

/** The buttons of the current error, as the notification, the status quick pick and tooltip offer them. */
export interface ErrorsApi {
	/** The buttons for the error the runtime's state stands for now; empty when there is none. */
	actions(): ErrorActionButton[];
	/** Runs a button as a click does. */
	run(action: ErrorAction): Promise<void>;
	/** Fires after each button ran (from a notification, the quick pick, the tooltip or the chat panel). */
	readonly onDidRun: vscode.Event<ErrorActionRun>;
}

/** The remote engine (`bora.engine` remote), as the e2e suites check it; never the API key. */
export interface RemoteApi {
	/** The runtime's last `bora/remote/status`: undefined until asked or in local mode, null when it has none. */
	readonly status: RemoteEngineStatus | null | undefined;
	readonly onDidChangeStatus: vscode.Event<void>;
	/** Asks the runtime now. */
	refreshStatus(): Promise<RemoteEngineStatus | null>;
	/** Fires after the API key (set or cleared) went to the runtime: after each connection and each change. */
	readonly onDidSendApiKey: vscode.Event<void>;
	/** Fires with the message of each plain-http warning shown. */
	readonly onDidWarnPlainHttp: vscode.Event<string>;
	/** **Bora: Test Remote Engine**, resolving its report (undefined when there was none). */
	test(): Promise<RemoteEngineReport | undefined>;
}

/**
 * What `activate` returns: the runtime's state and what each feature reports, enough for the e2e
 * suites to drive Bora and wait on its events (never on time).
 */
export interface BoraApi {
	/** What the extension knows about the runtime now. */
	readonly currentState: ClientState;
	readonly onDidChangeState: vscode.Event<ClientState>;
	/** Fires with the suggestions the runtime returned for each inline completion request. */
	readonly onDidProvideInlineCompletions: vscode.Event<readonly vscode.InlineCompletionItem[]>;
	/** Fires with what each inline completion request cost (tokens, times, cache hit, extra context). */
	readonly onDidReportCompletionStats: vscode.Event<CompletionStatsInfo>;
	readonly chat: ChatApi;
	readonly models: ModelsApi;
	readonly errors: ErrorsApi;
	readonly runtime: RuntimeApi;
	readonly remote: RemoteApi;
}
