import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { RuntimeClient } from './RuntimeClient';
import { affectsRuntime, getSettings } from './settings';
import { StatusBar } from './StatusBar';

let runtime: RuntimeClient | undefined;

/** Bora's extension host side is a thin client: all model work runs in the spawned runtime process. */
export async function activate(context: vscode.ExtensionContext): Promise<RuntimeClient> {
	const log = vscode.window.createOutputChannel('Bora', { log: true });
	runtime = new RuntimeClient(context.asAbsolutePath('dist/server.mjs'), log);
	const statusBar = new StatusBar();
	const refresh = () => statusBar.update(runtime!.currentState, getSettings().completionEnabled);

	context.subscriptions.push(
		log,
		runtime,
		statusBar,
		runtime.onDidChangeState(refresh),
		vscode.workspace.onDidChangeConfiguration(event => {
			if (affectsRuntime(event)) {
				runtime?.pushSettings();
				refresh();
			}
		}),
		...registerCommands({ runtime, log }),
	);
	refresh();
	// Not awaited: activation must stay fast, and the status bar reports the start.
	void runtime.start();
	return runtime;
}

export async function deactivate(): Promise<void> {
	await runtime?.stop();
	runtime = undefined;
}
