import * as vscode from 'vscode';
import type { RuntimeClient } from '../RuntimeClient';
import type { SharedRuntimeStatusWatch } from '../SharedRuntimeStatusWatch';
import { ModelActions } from './ModelActions';
import { ModelsCommandIds } from './modelsCommandIds';
import { ModelsView, type EngineSources } from './ModelsView';
import type { ModelsNode, ModelsTreeProvider } from './ModelsTreeProvider';

/** What the Models view exposes through Bora's API (the e2e suites read its tree). */
export interface ModelsApi {
	readonly tree: Pick<ModelsTreeProvider, 'refresh' | 'getChildren' | 'current'>;
}

/**
 * The Models view and its commands (downloads with a progress notification, the first-run
 * welcome); everything lands in `context.subscriptions`.
 */
export function registerModels(context: vscode.ExtensionContext, runtime: RuntimeClient, sharedStatus: SharedRuntimeStatusWatch, log: vscode.LogOutputChannel, engine: EngineSources): ModelsApi {
	const storageDir = context.globalStorageUri.fsPath;
	const view = new ModelsView(runtime, sharedStatus, storageDir, engine);
	const actions = new ModelActions(runtime, view.tree, storageDir, log);
	context.subscriptions.push(
		view,
		vscode.commands.registerCommand(ModelsCommandIds.refresh, () => view.tree.refresh()),
		vscode.commands.registerCommand(ModelsCommandIds.show, () => view.show()),
		vscode.commands.registerCommand(ModelsCommandIds.pickLocal, (path?: unknown) => actions.pickLocal(path)),
		vscode.commands.registerCommand(ModelsCommandIds.checkFit, (node?: ModelsNode) => actions.checkFit(node)),
		vscode.commands.registerCommand(ModelsCommandIds.download, (node?: ModelsNode) => actions.download(node)),
		vscode.commands.registerCommand(ModelsCommandIds.use, (node?: ModelsNode) => actions.use(node)),
		vscode.commands.registerCommand(ModelsCommandIds.useForChat, (node?: ModelsNode) => actions.useForChat(node)),
		vscode.commands.registerCommand(ModelsCommandIds.remove, (node?: ModelsNode) => actions.remove(node)),
	);
	return { tree: view.tree };
}
