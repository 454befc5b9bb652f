import * as vscode from 'vscode';
import type { ClientState } from '../ClientState';
import { Disposable } from '../dispose';
import type { RuntimeClient } from '../RuntimeClient';
import type { SharedRuntimeStatusWatch } from '../SharedRuntimeStatusWatch';
import { getSettings } from '../settings';
import { ModelsCommandIds } from './modelsCommandIds';
import { ModelsTreeProvider, type ModelsNode } from './ModelsTreeProvider';

/**
 * The Models view: its tree, kept fresh while visible, and the first-run welcome: when no model is
 * configured, the view opens once with the hardware and the models that fit.
 */
export class ModelsView extends Disposable {
	readonly tree: ModelsTreeProvider;
	private readonly view: vscode.TreeView<ModelsNode>;
	private welcomed = false;

	constructor(private readonly runtime: RuntimeClient, sharedStatus: SharedRuntimeStatusWatch, storageDir: string) {
		super();
		this.tree = this._register(new ModelsTreeProvider(runtime, storageDir, () => {
			const settings = getSettings();
			return { completion: settings.modelPath, chat: settings.chatModelPath || settings.modelPath, mmproj: settings.mmprojPath };
		}, () => sharedStatus.current));
		// Other windows loading or freeing models change the "In use" section; nothing needs asking again.
		this._register(sharedStatus.onDidChange(() => this.tree.redraw()));
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
		if (this.welcomed || state.kind !== 'runtime' || state.runtime.kind !== 'idle' || state.runtime.reason.code !== 'noModel') {
			return;
		}
		this.welcomed = true;
		void this.tree.refresh().then(() => this.show());
	}
}
