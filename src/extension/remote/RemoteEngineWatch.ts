import * as vscode from 'vscode';
import { RemoteEngineStatusRequest, type RemoteEngineStatus } from '../../shared/protocol';
import { Disposable } from '../dispose';
import type { RuntimeClient } from '../RuntimeClient';
import { getSettings, SettingIds } from '../settings';
import type { RemoteView } from './describeRemote';

/** vscode-jsonrpc's "method not found": a runtime from before remote engines. */
const methodNotFound = -32601;

/** The settings that change what the remote view shows. */
const remoteSettingIds = [SettingIds.engine, SettingIds.remoteUrl, SettingIds.remoteCompletionModel, SettingIds.remoteChatModel];

/**
 * The remote engine's status for the status bar and the Models view, asked from the runtime
 * (`bora/remote/status`) when the window connects, when the runtime's state or a remote setting
 * changes, and after each completion report (for the last error and the forecast). Undefined while
 * `bora.engine` is local. A runtime that does not know the request leaves the status null: the view
 * then shows the settings alone.
 */
export class RemoteEngineWatch extends Disposable {
	private status: RemoteEngineStatus | null | undefined;
	private asking: Promise<RemoteEngineStatus | null> | undefined;
	/** Set when a change arrives while a request is out, so one more request follows it. */
	private askAgain = false;
	private readonly changeEmitter = this._register(new vscode.EventEmitter<void>());
	readonly onDidChange = this.changeEmitter.event;

	constructor(private readonly runtime: RuntimeClient, private readonly log: vscode.LogOutputChannel, completionReports: vscode.Event<unknown>) {
		super();
		this._register(runtime.onDidConnect(() => void this.refresh()));
		this._register(runtime.onDidChangeState(state => state.kind === 'runtime' ? void this.refresh() : this.set(undefined)));
		this._register(completionReports(() => void this.refresh()));
		this._register(vscode.workspace.onDidChangeConfiguration(event => {
			if (remoteSettingIds.some(id => event.affectsConfiguration(id))) {
				// The runtime gets the new settings first (the extension pushes them on the same event).
				this.changeEmitter.fire();
				void this.refresh();
			}
		}));
	}

	/** Whether `bora.engine` is remote in this window. */
	get isRemote(): boolean {
		return getSettings().engine === 'remote';
	}

	/** The remote view (settings and the last status), or undefined in local mode. */
	get current(): RemoteView | undefined {
		const settings = getSettings();
		if (settings.engine !== 'remote') {
			return undefined;
		}
		return { url: settings.remoteUrl, completionModel: settings.remoteCompletionModel, chatModel: settings.remoteChatModel, status: this.status };
	}

	/** Asks the runtime now (joining a request already out); null in local mode or when the runtime cannot say. */
	refresh(): Promise<RemoteEngineStatus | null> {
		if (!this.isRemote) {
			this.set(undefined);
			return Promise.resolve(null);
		}
		if (this.asking) {
			this.askAgain = true;
			return this.asking;
		}
		this.asking = this.ask().finally(() => {
			this.asking = undefined;
			if (this.askAgain) {
				this.askAgain = false;
				void this.refresh();
			}
		});
		return this.asking;
	}

	/** Puts a status the runtime answered elsewhere (Test Remote Engine's report) in place. */
	update(status: RemoteEngineStatus): void {
		this.set(status);
	}

	private async ask(): Promise<RemoteEngineStatus | null> {
		try {
			const status = await this.runtime.request(RemoteEngineStatusRequest.type, undefined);
			this.set(status);
			return status;
		} catch (error) {
			if (errorCode(error) === methodNotFound) {
				this.set(null);
			} else if (this.runtime.currentState.kind === 'runtime') {
				this.log.warn(`Asking the runtime for the remote engine's status: ${error instanceof Error ? error.message : String(error)}`);
			}
			return null;
		}
	}

	private set(status: RemoteEngineStatus | null | undefined): void {
		if (JSON.stringify(status) === JSON.stringify(this.status)) {
			return;
		}
		this.status = status;
		this.changeEmitter.fire();
	}
}

function errorCode(error: unknown): number | undefined {
	return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : undefined;
}
