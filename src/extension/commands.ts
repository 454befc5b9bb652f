import * as vscode from 'vscode';
import { CommandIds } from './commandIds';
import { describeState } from './describeState';
import type { RuntimeClient } from './RuntimeClient';
import { getSettings, SettingIds } from './settings';

export interface CommandServices {
	readonly runtime: RuntimeClient;
	readonly log: vscode.LogOutputChannel;
}

export function registerCommands({ runtime, log }: CommandServices): vscode.Disposable[] {
	return [
		vscode.commands.registerCommand(CommandIds.selectModel, selectModel),
		vscode.commands.registerCommand(CommandIds.restartRuntime, () => runtime.restart()),
		vscode.commands.registerCommand(CommandIds.toggleCompletion, toggleCompletion),
		vscode.commands.registerCommand(CommandIds.showLog, () => log.show()),
		vscode.commands.registerCommand(CommandIds.showStatus, () => showStatus(runtime)),
	];
}

/** Lets the user pick a GGUF file and stores it as the model; returns the chosen path. */
async function selectModel(): Promise<string | undefined> {
	const current = getSettings().modelPath;
	const picked = await vscode.window.showOpenDialog({
		title: 'Select a GGUF model for Bora',
		openLabel: 'Use Model',
		canSelectMany: false,
		filters: { 'GGUF models': ['gguf'] },
		defaultUri: current ? vscode.Uri.file(current) : undefined,
	});
	const file = picked?.[0];
	if (!file) {
		return undefined;
	}
	await vscode.workspace.getConfiguration().update(SettingIds.modelPath, file.fsPath, vscode.ConfigurationTarget.Global);
	return file.fsPath;
}

async function toggleCompletion(): Promise<boolean> {
	const enabled = !getSettings().completionEnabled;
	await vscode.workspace.getConfiguration().update(SettingIds.completionEnabled, enabled, vscode.ConfigurationTarget.Global);
	void vscode.window.setStatusBarMessage(`Bora inline completion ${enabled ? 'on' : 'off'}`, 3000);
	return enabled;
}

interface ActionItem extends vscode.QuickPickItem {
	readonly command?: string;
}

async function showStatus(runtime: RuntimeClient): Promise<void> {
	const description = describeState(runtime.currentState, getSettings().completionEnabled, undefined, { mmprojPath: getSettings().mmprojPath, completionMode: getSettings().completionMode });
	const plain = (line: string) => line.replace(/\*\*/g, '');
	const items: ActionItem[] = [
		...description.details.map((line): ActionItem => ({ label: plain(line) })),
		{ label: '', kind: vscode.QuickPickItemKind.Separator },
		{ label: '$(file) Select GGUF Model…', command: CommandIds.selectModel },
		{ label: '$(debug-restart) Restart Runtime', command: CommandIds.restartRuntime },
		{ label: `$(${getSettings().completionEnabled ? 'circle-slash' : 'check'}) ${getSettings().completionEnabled ? 'Turn Off' : 'Turn On'} Inline Completion`, command: CommandIds.toggleCompletion },
		{ label: '$(output) Show Runtime Log', command: CommandIds.showLog },
		{ label: '$(gear) Open Settings', command: 'workbench.action.openSettings' },
	];
	const choice = await vscode.window.showQuickPick(items, { title: description.label, placeHolder: 'Bora runtime status and actions' });
	if (choice?.command === 'workbench.action.openSettings') {
		await vscode.commands.executeCommand(choice.command, '@ext:bora.bora');
	} else if (choice?.command) {
		await vscode.commands.executeCommand(choice.command);
	}
}
