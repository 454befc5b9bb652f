import * as vscode from 'vscode';
import { ChatCommandIds } from '../commandIds';
import { effortLabels } from './effortControl';
import type { EffortControlView } from '../../shared/webviewMessages';

/** The reasoning-effort status bar item: shows the level, says why it is unavailable, opens the picker. */
export class EffortStatusItem implements vscode.Disposable {
	private readonly item = vscode.window.createStatusBarItem('bora.reasoningEffort', vscode.StatusBarAlignment.Right, 99);

	constructor() {
		this.item.name = 'Bora Reasoning Effort';
		this.item.command = ChatCommandIds.setReasoningEffort;
		this.item.show();
	}

	update(control: EffortControlView): void {
		const label = effortLabels[control.value];
		if (control.disabledReason) {
			this.item.text = '$(lightbulb) Effort: n/a';
			this.item.tooltip = `Reasoning effort unavailable: ${control.disabledReason}`;
			this.item.accessibilityInformation = { label: `Reasoning effort unavailable. ${control.disabledReason}` };
			return;
		}
		const current = control.levels.find(level => level.value === control.value);
		this.item.text = `$(lightbulb) Effort: ${label}`;
		this.item.tooltip = current?.disabledReason
			? `Reasoning effort: ${label} (${current.disabledReason} Low is used.) Click to change.`
			: `Reasoning effort: ${label}. ${current?.description ?? ''} Click to change.`;
		this.item.accessibilityInformation = { label: `Reasoning effort ${label}` };
	}

	dispose(): void {
		this.item.dispose();
	}
}
