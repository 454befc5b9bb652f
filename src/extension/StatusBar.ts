import * as vscode from 'vscode';
import { CommandIds } from './commandIds';
import { describeState } from './describeState';
import type { ClientState } from './ClientState';
import type { CompletionOutcome } from './completion/completionOutcome';
import type { SharedRuntimeStatus } from '../shared/sharedRuntime';
import { getSettings } from './settings';

/** One status bar item that always shows what the runtime is doing; a click opens the details. */
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
		const tooltip = new vscode.MarkdownString(description.details.join('\n\n'));
		tooltip.appendMarkdown('\n\n---\n\nClick for actions.');
		this.item.tooltip = tooltip;
		this.item.backgroundColor = description.severity === 'normal' ? undefined : new vscode.ThemeColor(`statusBarItem.${description.severity}Background`);
		this.item.accessibilityInformation = { label: `${description.label}. ${description.details[0] ?? ''}` };
	}

	dispose(): void {
		this.item.dispose();
	}
}
