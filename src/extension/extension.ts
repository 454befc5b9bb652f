import * as vscode from 'vscode';
import type { BoraApi } from './BoraApi';
import { ChatStreamRouter } from './chat/ChatStreamRouter';
import { registerChat } from './chat/registerChat';
import { registerCommands, runtimeStatusReport } from './commands';
import { InlineCompletionMiddleware } from './completion/InlineCompletionMiddleware';
import { LastCompletion } from './completion/LastCompletion';
import { ErrorActionRunner } from './ErrorActionRunner';
import { errorActions, errorOfState } from './errorActions';
import { registerModels } from './models/registerModels';
import { remoteErrorOf, withStateError } from './remote/describeRemote';
import { PlainHttpWarner } from './remote/PlainHttpWarner';
import { RemoteApiKey } from './remote/RemoteApiKey';
import { RemoteEngineWatch } from './remote/RemoteEngineWatch';
import { testRemoteEngine } from './remote/testRemoteEngine';
import { redactingTraceChannel, SecretRedactor } from './RedactingTraceChannel';
import { RuntimeClient } from './RuntimeClient';
import { RuntimeErrorNotifier } from './RuntimeErrorNotifier';
import { affectsRuntime, getSettings, SettingIds } from './settings';
import { sharedRuntimeConnector } from './sharedRuntimeConnector';
import { SharedRuntimeStatusWatch } from './SharedRuntimeStatusWatch';
import { StatusBar } from './StatusBar';
import { registerWalkthrough } from './walkthrough';
import { WindowStateReporter } from './WindowStateReporter';

export type { BoraApi } from './BoraApi';

let runtime: RuntimeClient | undefined;

/** Bora's extension host side is a thin client: all model work runs in the spawned runtime process. */
export async function activate(context: vscode.ExtensionContext): Promise<BoraApi> {
	const log = vscode.window.createOutputChannel('Bora', { log: true });
	const serverModule = context.asAbsolutePath('dist/server.mjs');
	const redactor = new SecretRedactor();
	const client = new RuntimeClient({
		serverModule, log, storageDir: context.globalStorageUri.fsPath, connectShared: sharedRuntimeConnector(serverModule, log), traceLog: redactingTraceChannel(log, redactor),
	});
	runtime = client;
	const lastCompletion = new LastCompletion(client);
	const completions = new InlineCompletionMiddleware(client, lastCompletion, log);
	const streams = new ChatStreamRouter(client);
	const statusBar = new StatusBar();
	const sharedStatus = new SharedRuntimeStatusWatch(client, log);
	const windowState = new WindowStateReporter(client);
	const errorRunner = new ErrorActionRunner();
	const errorNotifier = new RuntimeErrorNotifier(client, errorRunner);
	const apiKey = new RemoteApiKey(context.secrets, client, log, redactor);
	const remote = new RemoteEngineWatch(client, log, lastCompletion.onDidChange);
	const plainHttp = new PlainHttpWarner(context.globalState);
	const refresh = () => statusBar.update(client.currentState, getSettings().completionEnabled, lastCompletion.outcome, sharedStatus.current, remote.current);
	const commandServices = { runtime: client, sharedStatus, log, errorActions: errorRunner, lastCompletion, remote, apiKey };

	context.subscriptions.push(
		log, client, lastCompletion, completions, streams, statusBar, sharedStatus, windowState, errorRunner, errorNotifier, apiKey, remote, plainHttp,
		client.onDidChangeState(refresh),
		lastCompletion.onDidChange(refresh),
		sharedStatus.onDidChange(refresh),
		remote.onDidChange(refresh),
		vscode.workspace.onDidChangeConfiguration(event => {
			if (event.affectsConfiguration(SettingIds.runtimeShared)) {
				// Another transport: this window leaves the shared runtime (which keeps serving the others), or joins it.
				void client.restart();
			} else if (affectsRuntime(event)) {
				client.pushSettings();
				refresh();
			}
		}),
		...registerCommands(commandServices),
		...registerWalkthrough(context.globalState, client, completions),
	);
	const chat = registerChat(context, client, streams, log, errorRunner, remote);
	const models = registerModels(context, client, sharedStatus, log, { remote, lastCompletion });
	refresh();
	void plainHttp.check();
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
				const state = client.currentState;
				const view = remote.current;
				const error = view && state.kind === 'runtime' ? remoteErrorOf(withStateError(view, state.runtime)) : errorOfState(state);
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
			status: () => runtimeStatusReport(commandServices),
			refreshSharedStatus: () => sharedStatus.refresh(),
		},
		remote: {
			get status() {
				return remote.current?.status;
			},
			onDidChangeStatus: remote.onDidChange,
			refreshStatus: () => remote.refresh(),
			onDidSendApiKey: apiKey.onDidSend,
			onDidWarnPlainHttp: plainHttp.onDidWarn,
			test: () => testRemoteEngine(commandServices),
		},
	};
}

export async function deactivate(): Promise<void> {
	await runtime?.stop();
	runtime = undefined;
}
