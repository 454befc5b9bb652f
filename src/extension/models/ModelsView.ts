import * as vscode from 'vscode';
import type { ClientState } from '../ClientState';
import { Disposable } from '../dispose';
import type { RuntimeClient } from '../RuntimeClient';
import type { SharedRuntimeStatusWatch } from '../SharedRuntimeStatusWatch';
import { getSettings } from '../settings';
import { ModelsCommandIds } from './modelsCommandIds';
import { ModelsTreeProvider, type ModelsNode } from './ModelsTreeProvider';
import type { LastCompletion } from '../completion/LastCompletion';
import type { RemoteEngineWatch } from '../remote/RemoteEngineWatch';

/** What the Engine section shows in remote mode: the runtime's status of the server, and the last completion's stats. */
export interface EngineSources {
	readonly remote: RemoteEngineWatch;
	readonly lastCompletion: LastCompletion;
}

/**
 * The Models view: its tree, kept fresh while visible, and the first-run welcome: when no model is
 * configured, the view opens once with the hardware and the models that fit.
 */
export class ModelsView extends Disposable {
	readonly tree: ModelsTreeProvider;
	private readonly view: vscode.TreeView<ModelsNode>;
	private welcomed = false;

	constructor(private readonly runtime: RuntimeClient, sharedStatus: SharedRuntimeStatusWatch, storageDir: string, private readonly engine: EngineSources) {
		super();
		this.tree = this._register(new ModelsTreeProvider(runtime, storageDir, () => {
			const settings = getSettings();
			return { completion: settings.modelPath, chat: settings.chatModelPath || settings.modelPath, mmproj: settings.mmprojPath };
		}, () => sharedStatus.current, () => {
			const remote = engine.remote.current;
			return remote ? { remote, lastStats: engine.lastCompletion.outcome.stats } : undefined;
		}));
		// Other windows loading or freeing models change the "In use" section; nothing needs asking again.
		this._register(sharedStatus.onDidChange(() => this.tree.redraw()));
		// The Engine section follows the server's status and the last request's stats.
		this._register(engine.remote.onDidChange(() => this.tree.redraw()));
		this._register(engine.lastCompletion.onDidChange(() => engine.remote.isRemote && this.tree.redraw()));
		this.view = this._register(vscode.window.createTreeView(ModelsCommandIds.view, { treeDataProvider: this.tree, showCollapseAll: false }));
		this._register(runtime.onDidChangeState(state => this.onStateChange(state)));
		this._register(this.view.onDidChangeVisibility(({ visible }) => visible && void this.tree.refresh()));
		this.welcomeIfNoModel();
	}

	/** Reveals the view (it may have to load first). */
	async show(): Promise<void> {
		await vscode.commands.executeCommand(`${ModelsCommandIds.view}.focus`);
	}

	private onStateChange(state: ClientState): void {
		this.welcomeIfNoModel();
		if (state.kind === 'runtime' && state.runtime.kind !== 'loading' && this.view.visible) {
			void this.tree.refresh();
		}
	}

	private welcomeIfNoModel(): void {
		const state = this.runtime.currentState;
		// A remote engine needs no local model: the view does not open by itself.
		if (this.welcomed || this.engine.remote.isRemote || state.kind !== 'runtime' || state.runtime.kind !== 'idle' || state.runtime.reason.code !== 'noModel') {
			return;
		}
		this.welcomed = true;
		void this.tree.refresh().then(() => this.show());
	}
}
