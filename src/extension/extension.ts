import * as vscode from 'vscode';
import { registerChat, type ChatApi } from './chat/registerChat';
import { registerCommands } from './commands';
import { registerModels, type ModelsApi } from './models/registerModels';
import { RuntimeClient } from './RuntimeClient';
import { affectsRuntime, getSettings } from './settings';
import { StatusBar } from './StatusBar';

/** What `activate` returns: the runtime client, plus the chat for the e2e suites. */
export type BoraApi = RuntimeClient & { readonly chatApi: ChatApi; readonly modelsApi: ModelsApi };

let runtime: RuntimeClient | undefined;

/** Bora's extension host side is a thin client: all model work runs in the spawned runtime process. */
export async function activate(context: vscode.ExtensionContext): Promise<BoraApi> {
	const log = vscode.window.createOutputChannel('Bora', { log: true });
	runtime = new RuntimeClient(context.asAbsolutePath('dist/server.mjs'), log, context.globalStorageUri.fsPath);
	const statusBar = new StatusBar();
	const refresh = () => statusBar.update(runtime!.currentState, getSettings().completionEnabled, runtime!.lastCompletionStats);

	context.subscriptions.push(
		log,
		runtime,
		statusBar,
		runtime.onDidChangeState(refresh),
		runtime.onDidReportCompletionStats(refresh),
		vscode.workspace.onDidChangeConfiguration(event => {
			if (affectsRuntime(event)) {
				runtime?.pushSettings();
				refresh();
			}
		}),
		...registerCommands({ runtime, log }),
	);
	const chat = registerChat(context, runtime, log);
	const models = registerModels(context, runtime, log);
	refresh();
	// Not awaited: activation must stay fast, and the status bar reports the start.
	void runtime.start();
	return Object.assign(runtime, { chatApi: chat, modelsApi: models });
}

export async function deactivate(): Promise<void> {
	await runtime?.stop();
	runtime = undefined;
}
