import * as vscode from 'vscode';
import { CommandIds } from './commandIds';
import { describeState } from './describeState';
import type { ClientState } from './ClientState';
import type { CompletionOutcome } from './completion/completionOutcome';
import type { SharedRuntimeStatus } from '../shared/sharedRuntime';
import { ErrorActionRunner } from './ErrorActionRunner';
import { errorOfState, type ActionableError } from './errorActions';
import { describeRemoteStatusBar, withStateError, type RemoteView } from './remote/describeRemote';
import { getSettings } from './settings';
import { statusTooltip } from './statusTooltip';

/** One status bar item that always shows what the runtime is doing; a click opens the actions and details. */
export class StatusBar implements vscode.Disposable {
	private readonly item = vscode.window.createStatusBarItem('bora.status', vscode.StatusBarAlignment.Right, 100);

	constructor() {
		this.item.name = 'Bora';
		this.item.command = CommandIds.showStatus;
		this.item.show();
	}

	/**
	 * @param sharedRuntime The shared runtime's status, when known: the tooltip says which models it shares with how many windows.
	 * @param remote The remote engine, when `bora.engine` is remote: shown instead of the local model once the runtime runs.
	 */
	update(state: ClientState, completionEnabled: boolean, completion: CompletionOutcome, sharedRuntime?: SharedRuntimeStatus, remote?: RemoteView): void {
		if (remote && state.kind === 'runtime') {
			this.show(describeRemoteStatusBar(withStateError(remote, state.runtime), completionEnabled, completion, state.runtime));
			return;
		}
		const { mmprojPath, completionMode } = getSettings();
		const description = describeState(state, completionEnabled, completion.stats, { mmprojPath, completionMode, noSuggestion: completion.noSuggestion, ...(sharedRuntime ? { sharedRuntime } : {}) });
		this.item.text = `$(${description.icon}) ${description.label}`;
		const lines = statusTooltip(state, completionEnabled, completion, completionMode);
		const error = errorOfState(state);
		const links = error ? ErrorActionRunner.markdownLinks(error) : '';
		// Trusted for the buttons' one command only, which checks what it runs.
		const tooltip = new vscode.MarkdownString([...lines, ...(links ? [links] : [])].join('\n\n'));
		tooltip.isTrusted = { enabledCommands: [ErrorActionRunner.commandId] };
		tooltip.appendMarkdown('\n\n---\n\nClick for actions and the runtime\'s details.');
		this.item.tooltip = tooltip;
		this.item.backgroundColor = description.severity === 'normal' ? undefined : new vscode.ThemeColor(`statusBarItem.${description.severity}Background`);
		this.item.accessibilityInformation = { label: `${description.label}. ${(lines[0] ?? '').replace(/\*\*/g, '')}` };
	}

	private show(view: { readonly icon: string; readonly label: string; readonly severity: 'normal' | 'warning' | 'error'; readonly tooltip: readonly string[]; readonly error?: ActionableError }): void {
		this.item.text = `$(${view.icon}) ${view.label}`;
		const links = view.error ? ErrorActionRunner.markdownLinks(view.error) : '';
		const tooltip = new vscode.MarkdownString([...view.tooltip, ...(links ? [links] : [])].join('\n\n'));
		tooltip.isTrusted = { enabledCommands: [ErrorActionRunner.commandId] };
		tooltip.appendMarkdown('\n\n---\n\nClick for actions and the runtime\'s details.');
		this.item.tooltip = tooltip;
		this.item.backgroundColor = view.severity === 'normal' ? undefined : new vscode.ThemeColor(`statusBarItem.${view.severity}Background`);
		this.item.accessibilityInformation = { label: `${view.label}. ${(view.tooltip[0] ?? '').replace(/\*\*|`/g, '')}` };
	}

	dispose(): void {
		this.item.dispose();
	}
}
