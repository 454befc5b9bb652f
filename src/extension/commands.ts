import * as vscode from 'vscode';
import { ChatCommandIds, CommandIds } from './commandIds';
import type { ErrorActionRunner } from './ErrorActionRunner';
import { errorActions, errorOfState, type ActionableError, type ErrorAction } from './errorActions';
import { ModelsCommandIds } from './models/modelsCommandIds';
import { describeSharedRuntime, otherWindows } from './describeSharedRuntime';
import { describeState } from './describeState';
import type { ClientState } from './ClientState';
import type { CompletionOutcome } from './completion/completionOutcome';
import { describeEngine, describeRemoteStatusBar, remoteErrorOf, withStateError } from './remote/describeRemote';
import type { RemoteApiKey } from './remote/RemoteApiKey';
import type { RemoteEngineWatch } from './remote/RemoteEngineWatch';
import { testRemoteEngine } from './remote/testRemoteEngine';
import type { RuntimeClient } from './RuntimeClient';
import { getSettings, SettingIds } from './settings';
import type { SharedRuntimeStatusWatch } from './SharedRuntimeStatusWatch';

export interface CommandServices {
	readonly runtime: RuntimeClient;
	readonly sharedStatus: SharedRuntimeStatusWatch;
	readonly log: vscode.LogOutputChannel;
	readonly errorActions: ErrorActionRunner;
	/** The latest completion outcome: its stats and why the last request got nothing move here from the tooltip. */
	readonly lastCompletion: { readonly outcome: CompletionOutcome };
	/** The remote engine's status, shown instead of the local model while `bora.engine` is remote. */
	readonly remote: RemoteEngineWatch;
	readonly apiKey: RemoteApiKey;
}

export function registerCommands(services: CommandServices): vscode.Disposable[] {
	return [
		vscode.commands.registerCommand(CommandIds.setRemoteApiKey, () => services.apiKey.prompt()),
		vscode.commands.registerCommand(CommandIds.testRemoteEngine, () => testRemoteEngine(services)),
		vscode.commands.registerCommand(CommandIds.selectModel, selectModel),
		vscode.commands.registerCommand(CommandIds.restartRuntime, () => restartRuntime(services)),
		vscode.commands.registerCommand(CommandIds.toggleCompletion, toggleCompletion),
		vscode.commands.registerCommand(CommandIds.showLog, () => services.log.show()),
		vscode.commands.registerCommand(CommandIds.showStatus, () => showStatus(services)),
	];
}

/** What **Bora: Show Runtime Status** lists: this window's runtime state, then the runtime process and everyone it serves. */
export interface RuntimeStatusReport {
	readonly title: string;
	/** Plain text, one item each. */
	readonly lines: readonly string[];
}

/** Asks the runtime for its status now (the last known one when it cannot answer) and words it. */
export async function runtimeStatusReport({ runtime, sharedStatus, lastCompletion, remote }: Pick<CommandServices, 'runtime' | 'sharedStatus' | 'lastCompletion' | 'remote'>): Promise<RuntimeStatusReport> {
	const settings = getSettings();
	const outcome = lastCompletion.outcome;
	const state = runtime.currentState;
	if (remote.isRemote && state.kind === 'runtime') {
		await remote.refresh();
		const view = withStateError(remote.current!, state.runtime);
		const bar = describeRemoteStatusBar(view, settings.completionEnabled, outcome);
		const plain = (line: string) => line.replace(/\*\*|`/g, '');
		return { title: bar.label, lines: [...bar.tooltip, ...describeEngine(view, outcome.stats).map(line => line.text)].map(plain) };
	}
	const description = describeState(runtime.currentState, settings.completionEnabled, outcome.stats, {
		mmprojPath: settings.mmprojPath, completionMode: settings.completionMode, ...(outcome.noSuggestion ? { noSuggestion: outcome.noSuggestion } : {}),
	});
	const status = runtime.currentState.kind === 'runtime' ? await sharedStatus.refresh().catch(() => sharedStatus.current) : undefined;
	const plain = (line: string) => line.replace(/\*\*/g, '');
	return { title: description.label, lines: [...description.details, ...(status ? describeSharedRuntime(status) : [])].map(plain) };
}

/**
 * **Bora: Restart Runtime**. A shared runtime serves other windows too: when any is connected, the
 * user confirms first, since each of them reconnects and waits for its models to load again.
 * Resolves `false` when the user declined.
 */
async function restartRuntime({ runtime, sharedStatus }: CommandServices): Promise<boolean> {
	if (runtime.isShared && runtime.currentState.kind === 'runtime') {
		const status = await sharedStatus.refresh().catch(() => sharedStatus.current);
		const others = status ? otherWindows(status) : [];
		if (others.length > 0) {
			const restart = 'Restart for All Windows';
			const choice = await vscode.window.showWarningMessage(
				`${others.length + 1} windows use this runtime (this one and ${others.map(window => window.name).join(', ')}). Restarting it reconnects all of them, and each waits for its models to load again.`,
				{ modal: true },
				restart,
			);
			if (choice !== restart) {
				return false;
			}
		}
	}
	await runtime.restartRuntime();
	return true;
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
	/** One of the current error's buttons. */
	readonly errorAction?: ErrorAction;
}

/**
 * **Bora: Show Runtime Status** (a click on the status bar item): the current error's buttons, then
 * the actions (Open Chat, Show Models, Set Effort, Select Model, Restart, …), then the details.
 */
export function statusPickItems(report: RuntimeStatusReport, state: ClientState, completionEnabled: boolean, remoteError?: ActionableError): ActionItem[] {
	const error = remoteError ?? errorOfState(state);
	const fixes = error ? errorActions(error) : [];
	const offered = new Set(fixes.map(button => button.action.kind));
	const actions: ActionItem[] = [
		{ label: '$(comment-discussion) Open Chat', command: ChatCommandIds.openChat },
		{ label: '$(library) Show Models', command: ModelsCommandIds.show },
		{ label: '$(lightbulb) Set Reasoning Effort…', command: ChatCommandIds.setReasoningEffort },
		...(remoteError !== undefined || getSettings().engine === 'remote'
			? [
				...(offered.has('testRemoteEngine') ? [] : [{ label: '$(beaker) Test Remote Engine', command: CommandIds.testRemoteEngine }]),
				...(offered.has('setRemoteApiKey') ? [] : [{ label: '$(key) Set Remote API Key…', command: CommandIds.setRemoteApiKey }]),
			]
			: offered.has('selectModel') ? [] : [{ label: '$(file) Select Model…', command: CommandIds.selectModel }]),
		...(offered.has('restartRuntime') ? [] : [{ label: '$(debug-restart) Restart Runtime', command: CommandIds.restartRuntime }]),
		{ label: `$(${completionEnabled ? 'circle-slash' : 'check'}) ${completionEnabled ? 'Turn Off' : 'Turn On'} Inline Completion`, command: CommandIds.toggleCompletion },
		...(offered.has('showLog') ? [] : [{ label: '$(output) Show Runtime Log', command: CommandIds.showLog }]),
		{ label: '$(gear) Open Settings', command: 'workbench.action.openSettings' },
	];
	return [
		...(fixes.length > 0 ? [{ label: 'Fix', kind: vscode.QuickPickItemKind.Separator }, ...fixes.map((button): ActionItem => ({ label: `$(wrench) ${button.label}`, errorAction: button.action }))] : []),
		{ label: 'Actions', kind: vscode.QuickPickItemKind.Separator },
		...actions,
		{ label: 'Details', kind: vscode.QuickPickItemKind.Separator },
		...report.lines.map((line): ActionItem => ({ label: line })),
	];
}

async function showStatus(services: CommandServices): Promise<void> {
	const report = await runtimeStatusReport(services);
	const state = services.runtime.currentState;
	const remote = services.remote.current;
	const remoteError = remote && state.kind === 'runtime' ? remoteErrorOf(withStateError(remote, state.runtime)) : undefined;
	const items = statusPickItems(report, state, getSettings().completionEnabled, remoteError);
	const choice = await vscode.window.showQuickPick(items, { title: report.title, placeHolder: 'Bora: actions, then the runtime status' });
	if (choice?.errorAction) {
		await services.errorActions.run(choice.errorAction);
	} else if (choice?.command === 'workbench.action.openSettings') {
		// In a remote window (code-server, SSH) the model paths, threads and GPU are machine settings,
		// which VS Code shows in the Remote tab only.
		await vscode.commands.executeCommand(vscode.env.remoteName ? 'workbench.action.openRemoteSettings' : choice.command, { query: '@ext:bora.bora' });
	} else if (choice?.command) {
		await vscode.commands.executeCommand(choice.command);
	}
}
