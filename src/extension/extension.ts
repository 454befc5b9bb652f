import * as vscode from 'vscode';
import type { BoraApi } from './BoraApi';
import { ChatStreamRouter } from './chat/ChatStreamRouter';
import { registerChat } from './chat/registerChat';
import { CommandIds } from './commandIds';
import { registerCommands, runtimeStatusReport } from './commands';
import { InlineCompletionMiddleware } from './completion/InlineCompletionMiddleware';
import { LastCompletion } from './completion/LastCompletion';
import { ErrorActionRunner } from './ErrorActionRunner';
import { errorActions, errorOfState } from './errorActions';
import { registerModels } from './models/registerModels';
import { RuntimeClient } from './RuntimeClient';
import { RuntimeErrorNotifier } from './RuntimeErrorNotifier';
import { affectsRuntime, getSettings, SettingIds } from './settings';
import { sharedRuntimeConnector } from './sharedRuntimeConnector';
import { SharedRuntimeStatusWatch } from './SharedRuntimeStatusWatch';
import { StatusBar } from './StatusBar';
import { registerWalkthrough } from './walkthrough';
import { walkthroughId } from './walkthroughIds';
import { WindowStateReporter } from './WindowStateReporter';

export type { BoraApi } from './BoraApi';

let runtime: RuntimeClient | undefined;

/** Bora's extension host side is a thin client: all model work runs in the spawned runtime process. */
export async function activate(context: vscode.ExtensionContext): Promise<BoraApi> {
	const log = vscode.window.createOutputChannel('Bora', { log: true });
	const serverModule = context.asAbsolutePath('dist/server.mjs');
	const client = new RuntimeClient({ serverModule, log, storageDir: context.globalStorageUri.fsPath, connectShared: sharedRuntimeConnector(serverModule, log) });
	runtime = client;
	const lastCompletion = new LastCompletion(client);
	const completions = new InlineCompletionMiddleware(client, lastCompletion, log);
	const streams = new ChatStreamRouter(client);
	const statusBar = new StatusBar();
	const sharedStatus = new SharedRuntimeStatusWatch(client, log);
	const windowState = new WindowStateReporter(client);
	const errorRunner = new ErrorActionRunner();
	const errorNotifier = new RuntimeErrorNotifier(client, errorRunner);
	const refresh = () => statusBar.update(client.currentState, getSettings().completionEnabled, lastCompletion.outcome, sharedStatus.current);

	context.subscriptions.push(
		log, client, lastCompletion, completions, streams, statusBar, sharedStatus, windowState, errorRunner, errorNotifier,
		client.onDidChangeState(refresh),
		lastCompletion.onDidChange(refresh),
		sharedStatus.onDidChange(refresh),
		vscode.workspace.onDidChangeConfiguration(event => {
			if (event.affectsConfiguration(SettingIds.runtimeShared)) {
				// Another transport: this window leaves the shared runtime (which keeps serving the others), or joins it.
				void client.restart();
			} else if (affectsRuntime(event)) {
				client.pushSettings();
				refresh();
			}
		}),
		...registerCommands({ runtime: client, sharedStatus, log, errorActions: errorRunner, lastCompletion }),
		vscode.commands.registerCommand(CommandIds.openWalkthrough, () => vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthroughId, false)),
		...registerWalkthrough(context.globalState, client, completions),
	);
	const chat = registerChat(context, client, streams, log, errorRunner);
	const models = registerModels(context, client, sharedStatus, log);
	refresh();
	// Not awaited: activation must stay fast, and the status bar reports the start.
	void client.start();
	return {
		get currentState() {
			return client.currentState;
		},
		onDidChangeState: client.onDidChangeState,
		onDidProvideInlineCompletions: completions.onDidProvideInlineCompletions,
		onDidReportCompletionStats: lastCompletion.onDidReportStats,
		chat,
		models,
		errors: {
			actions: () => {
				const error = errorOfState(client.currentState);
				return error ? errorActions(error) : [];
			},
			run: action => errorRunner.run(action),
			onDidRun: errorRunner.onDidRun,
		},
		runtime: {
			get isShared() {
				return client.isShared;
			},
			get sharedStatus() {
				return sharedStatus.current;
			},
			onDidChangeSharedStatus: sharedStatus.onDidChange,
			onDidConnect: client.onDidConnect,
			status: () => runtimeStatusReport({ runtime: client, sharedStatus, lastCompletion }),
			refreshSharedStatus: () => sharedStatus.refresh(),
		},
	};
}

export async function deactivate(): Promise<void> {
	await runtime?.stop();
	runtime = undefined;
}
