import * as vscode from 'vscode';
import { settingsSchema } from '../shared/settings';
import { Disposable } from './dispose';
import { commandOf, errorActions, isErrorAction, type ActionableError, type ErrorAction } from './errorActions';

/** What a button did, for the e2e suites: the command it ran with its arguments, or the setting a picker wrote. */
export type ErrorActionRun =
	| { readonly kind: 'command'; readonly command: string; readonly args: readonly unknown[] }
	| { readonly kind: 'pickedPath'; readonly settingId: string; readonly path: string | undefined };

/** What each path picker's dialog says. */
const pickerTitles: Readonly<Record<'chatModelPath' | 'mmprojPath' | 'draftModelPath', { readonly title: string; readonly openLabel: string }>> = {
	chatModelPath: { title: 'Select a GGUF chat model for Bora', openLabel: 'Use for Chat' },
	mmprojPath: { title: "Select the vision projector (mmproj GGUF) made for Bora's chat model", openLabel: 'Use Projector' },
	draftModelPath: { title: "Select a small GGUF of the completion model's vocabulary as draft model", openLabel: 'Use as Draft' },
};

/**
 * Carries out an error's buttons for the notifications, the status quick pick and tooltip, and the
 * chat panel, so each does the same; `bora.runErrorAction` (not in the palette) runs one by value.
 */
export class ErrorActionRunner extends Disposable {
	static readonly commandId = 'bora.runErrorAction';
	private readonly runEmitter = this._register(new vscode.EventEmitter<ErrorActionRun>());
	/** Fires after each button ran. */
	readonly onDidRun = this.runEmitter.event;

	constructor() {
		super();
		// Reached from tooltip links: only a well-formed action runs.
		this._register(vscode.commands.registerCommand(ErrorActionRunner.commandId, (action: unknown) => isErrorAction(action) ? this.run(action) : undefined));
	}

	async run(action: ErrorAction): Promise<void> {
		const command = commandOf(action, vscode.env.remoteName);
		if (command) {
			this.runEmitter.fire({ kind: 'command', ...command });
			await vscode.commands.executeCommand(command.command, ...command.args);
			return;
		}
		if (action.kind === 'pickPath') {
			const settingId = settingsSchema[action.setting].id;
			const current = vscode.workspace.getConfiguration().get<string>(settingId);
			const picked = await vscode.window.showOpenDialog({ ...pickerTitles[action.setting], filters: { 'GGUF files': ['gguf'] }, canSelectMany: false, defaultUri: current ? vscode.Uri.file(current) : undefined });
			const path = picked?.[0]?.fsPath;
			if (path) {
				await vscode.workspace.getConfiguration().update(settingId, path, vscode.ConfigurationTarget.Global);
			}
			this.runEmitter.fire({ kind: 'pickedPath', settingId, path });
		}
	}

	/**
	 * Shows an error notification with the error's buttons and runs the one chosen. `extra` buttons come
	 * after those (e.g. "Show Models"); their choice resolves the returned promise.
	 */
	async notify(message: string, error: ActionableError, ...extra: string[]): Promise<string | undefined> {
		const buttons = errorActions(error);
		const choice = await vscode.window.showErrorMessage(message, ...buttons.map(button => button.label), ...extra);
		const chosen = buttons.find(button => button.label === choice);
		if (chosen) {
			await this.run(chosen.action);
			return undefined;
		}
		return choice;
	}

	/** A Markdown line of command links for a trusted tooltip (`enabledCommands: [commandId]`). */
	static markdownLinks(error: ActionableError): string {
		return errorActions(error)
			.map(button => `[${button.label}](command:${ErrorActionRunner.commandId}?${encodeURIComponent(JSON.stringify([button.action]))})`)
			.join(' · ');
	}
}
