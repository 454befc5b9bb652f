import * as vscode from 'vscode';
import type { ReasoningEffort } from '../../shared/protocol';
import { setReasoningEffort } from '../settings';
import { isReasoningEffort } from './effortControl';
import type { EffortControlView } from '../../shared/webviewMessages';

const descriptions: Readonly<Record<ReasoningEffort, string>> = {
	off: 'answer without thinking',
	low: 'a short, bounded thought',
	medium: 'a moderate thought budget',
	high: 'the largest thought budget',
};

/**
 * "Bora: Set Reasoning Effort…": a picker, or the level given as argument. Writes the setting, which
 * every other control follows. Returns the level now set, or undefined when nothing changed.
 */
export async function pickReasoningEffort(control: EffortControlView, argument?: unknown): Promise<ReasoningEffort | undefined> {
	if (control.disabledReason) {
		void vscode.window.showInformationMessage(`Reasoning effort is unavailable: ${control.disabledReason}`);
		return undefined;
	}
	let chosen: ReasoningEffort | undefined = isReasoningEffort(argument) ? argument : undefined;
	if (!chosen) {
		const items = control.levels.map(level => ({
			label: `${level.value === control.value ? '$(check) ' : ''}${level.label}`,
			description: level.disabledReason ? `unavailable: ${level.disabledReason}` : descriptions[level.value],
			...(level.description && !level.disabledReason ? { detail: level.description } : {}),
			value: level.value,
		}));
		chosen = (await vscode.window.showQuickPick(items, { title: 'Bora: Reasoning Effort', placeHolder: 'How long the model may think before answering' }))?.value;
	}
	if (!chosen) {
		return undefined;
	}
	const level = control.levels.find(candidate => candidate.value === chosen);
	if (level?.disabledReason) {
		void vscode.window.showInformationMessage(`${level.label} is unavailable: ${level.disabledReason}`);
		return undefined;
	}
	await setReasoningEffort(chosen);
	return chosen;
}
