import * as vscode from 'vscode';
import { RemoteApiKeyNotification } from '../../shared/protocol';
import { Disposable } from '../dispose';
import type { SecretRedactor } from '../RedactingTraceChannel';
import type { RuntimeClient } from '../RuntimeClient';

/** What the key store needs from the runtime client: the connection event and a notification. */
export type ApiKeyRuntime = Pick<RuntimeClient, 'onDidConnect' | 'notify'>;

/**
 * The remote engine's API key: kept in VS Code's SecretStorage (never settings.json, never a log
 * line), and sent to the runtime with `bora/remote/apiKey` on every connection (each window sends
 * its own to the shared runtime) and whenever it changes, in this window or another.
 */
export class RemoteApiKey extends Disposable {
	/** The SecretStorage key; the value is never read anywhere else. */
	static readonly secretKey = 'bora.remote.apiKey';
	private readonly changeEmitter = this._register(new vscode.EventEmitter<void>());
	/** Fires after the key was sent to the runtime (set or cleared). */
	readonly onDidSend = this.changeEmitter.event;

	/** @param redactor Told the key before it is sent, so the protocol trace shows it redacted. */
	constructor(private readonly secrets: vscode.SecretStorage, private readonly runtime: ApiKeyRuntime, private readonly log: vscode.LogOutputChannel, private readonly redactor: SecretRedactor) {
		super();
		this._register(runtime.onDidConnect(() => void this.send()));
		this._register(secrets.onDidChange(event => event.key === RemoteApiKey.secretKey && void this.send()));
	}

	/**
	 * **Bora: Set Remote API Key…**: a password box; an empty entry clears the key, Escape keeps it.
	 * Resolves what happened, never the key.
	 */
	async prompt(): Promise<'set' | 'cleared' | 'unchanged'> {
		const hasKey = (await this.secrets.get(RemoteApiKey.secretKey)) !== undefined;
		const entered = await vscode.window.showInputBox({
			title: 'Bora: Remote API Key',
			prompt: `Sent as "Authorization: Bearer …" to bora.remote.url, kept in VS Code's secret storage.${hasKey ? ' Leave empty to remove the current key.' : ''}`,
			placeHolder: hasKey ? 'A key is set; enter a new one, or leave empty to remove it' : 'API key',
			password: true,
			ignoreFocusOut: true,
		});
		if (entered === undefined) {
			return 'unchanged';
		}
		const key = entered.trim();
		if (key === '') {
			await this.secrets.delete(RemoteApiKey.secretKey);
			this.log.info('Remote API key removed.');
			void vscode.window.setStatusBarMessage('Bora: remote API key removed', 3000);
			return 'cleared';
		}
		await this.secrets.store(RemoteApiKey.secretKey, key);
		this.log.info('Remote API key set (kept in the secret storage).');
		void vscode.window.setStatusBarMessage('Bora: remote API key set', 3000);
		return 'set';
	}

	/** Whether a key is stored; the key itself stays here. */
	async isSet(): Promise<boolean> {
		return (await this.secrets.get(RemoteApiKey.secretKey)) !== undefined;
	}

	private async send(): Promise<void> {
		const apiKey = (await this.secrets.get(RemoteApiKey.secretKey)) ?? null;
		if (this.isDisposed) {
			return;
		}
		this.redactor.set([apiKey]);
		this.runtime.notify(RemoteApiKeyNotification.type, { apiKey });
		this.changeEmitter.fire();
	}
}
