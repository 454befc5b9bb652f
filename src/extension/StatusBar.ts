import * as vscode from 'vscode';
import { CommandIds } from './commandIds';
import { describeState } from './describeState';
import type { ClientState } from './ClientState';
import type { CompletionOutcome } from './completion/completionOutcome';
import type { SharedRuntimeStatus } from '../shared/sharedRuntime';
import { ErrorActionRunner } from './ErrorActionRunner';
import { errorOfState } from './errorActions';
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

	/** @param sharedRuntime The shared runtime's status, when known: the tooltip says which models it shares with how many windows. */
	update(state: ClientState, completionEnabled: boolean, completion: CompletionOutcome, sharedRuntime?: SharedRuntimeStatus): void {
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

	dispose(): void {
		this.item.dispose();
	}
}
