import type * as vscode from 'vscode';
import type { CompletionStatsInfo } from '../shared/protocol';
import type { ChatApi } from './chat/registerChat';
import type { ClientState } from './ClientState';
import type { ModelsApi } from './models/registerModels';

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
}
