import * as vscode from 'vscode';
import { openSettingsCommand } from '../errorActions';
import { Disposable } from '../dispose';
import { getSettings, SettingIds } from '../settings';
import { plainHttpMessage, plainHttpWarning } from './plainHttpWarning';

/** The URLs already warned about, in globalState: once per URL, across windows and restarts. */
const warnedKey = 'bora.remote.plainHttpWarned';

/**
 * Warns once per URL when `bora.engine` is remote and `bora.remote.url` is plain `http://` to a host
 * other than this machine, with a button that opens the setting. Checked at start and when either
 * setting changes.
 */
export class PlainHttpWarner extends Disposable {
	private readonly shownEmitter = this._register(new vscode.EventEmitter<string>());
	/** Fires with the message each time a warning is shown (for the e2e suites). */
	readonly onDidWarn = this.shownEmitter.event;

	constructor(private readonly globalState: vscode.Memento) {
		super();
		this._register(vscode.workspace.onDidChangeConfiguration(event => {
			if (event.affectsConfiguration(SettingIds.engine) || event.affectsConfiguration(SettingIds.remoteUrl)) {
				void this.check();
			}
		}));
	}

	/** Shows the warning when the current URL needs one that was not shown before; resolves whether it did. */
	async check(): Promise<boolean> {
		const { engine, remoteUrl } = getSettings();
		const warning = engine === 'remote' ? plainHttpWarning(remoteUrl) : undefined;
		const warned = this.globalState.get<readonly string[]>(warnedKey, []);
		if (!warning || warned.includes(warning.url)) {
			return false;
		}
		// Remembered before it shows: a second window or a quick second change must not warn again.
		await this.globalState.update(warnedKey, [...warned, warning.url]);
		const message = plainHttpMessage(warning);
		this.shownEmitter.fire(message);
		const openSetting = 'Open Setting';
		void vscode.window.showWarningMessage(message, openSetting).then(choice => {
			if (choice === openSetting) {
				const { command, args } = openSettingsCommand(SettingIds.remoteUrl, vscode.env.remoteName);
				void vscode.commands.executeCommand(command, ...args);
			}
		});
		return true;
	}
}
