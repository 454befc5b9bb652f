import * as vscode from 'vscode';
import { SharedRuntimeStatusNotification, SharedRuntimeStatusRequest, type SharedRuntimeStatus } from '../shared/sharedRuntime';
import { Disposable } from './dispose';
import type { RuntimeClient } from './RuntimeClient';

/**
 * The runtime's own view of who uses it: the connected windows and the loaded models with their
 * users and memory. Asked after each connection, then kept current by the runtime's change
 * notifications; unknown while no runtime is connected.
 */
export class SharedRuntimeStatusWatch extends Disposable {
	private status: SharedRuntimeStatus | undefined;
	/** Counts connections, so an answer to a request made before a reconnect is dropped. */
	private generation = 0;
	private readonly changeEmitter = this._register(new vscode.EventEmitter<SharedRuntimeStatus | undefined>());
	readonly onDidChange = this.changeEmitter.event;

	constructor(private readonly runtime: RuntimeClient, private readonly log: vscode.LogOutputChannel) {
		super();
		this._register(runtime.onNotification(SharedRuntimeStatusNotification.type, status => this.set(status)));
		this._register(runtime.onDidConnect(() => {
			this.generation++;
			void this.refresh().catch(error => this.log.warn(`Asking the runtime for its status: ${error instanceof Error ? error.message : String(error)}`));
		}));
		this._register(runtime.onDidChangeState(state => {
			if (state.kind !== 'runtime' && this.status) {
				this.set(undefined);
			}
		}));
	}

	get current(): SharedRuntimeStatus | undefined {
		return this.status;
	}

	/** Asks the runtime now; rejects when it is not running. */
	async refresh(): Promise<SharedRuntimeStatus> {
		const generation = this.generation;
		const status = await this.runtime.request(SharedRuntimeStatusRequest.type, undefined);
		if (generation === this.generation) {
			this.set(status);
		}
		return status;
	}

	private set(status: SharedRuntimeStatus | undefined): void {
		this.status = status;
		this.changeEmitter.fire(status);
	}
}
