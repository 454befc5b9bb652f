import * as vscode from 'vscode';
import { ResponseError } from 'vscode-languageclient/node';
import { ModelsCheckFitRequest, ModelsDeleteRequest, type CatalogEntry, type DownloadedModel, type RuntimeErrorInfo } from '../../shared/protocol';
import type { RuntimeClient } from '../RuntimeClient';
import { getSettings, SettingIds } from '../settings';
import { downloadWithProgress } from './downloadWithProgress';
import { ModelsCommandIds } from './modelsCommandIds';
import { ModelsTreeProvider, type ModelsNode } from './ModelsTreeProvider';

/** What the e2e suites and other features may use. */
export interface ModelsApi {
	readonly tree: ModelsTreeProvider;
	/** Sets a local GGUF as the completion model (what "Pick a local GGUF…" does after the dialog). */
	useLocalFile(path: string): Promise<void>;
}

/**
 * The Models view, its commands, downloads with a progress notification, and the first-run welcome:
 * when no model is configured, the view opens once with the hardware and the models that fit.
 * Nothing downloads without a click.
 */
export function registerModels(context: vscode.ExtensionContext, runtime: RuntimeClient, log: vscode.LogOutputChannel): ModelsApi {
	const storageDir = context.globalStorageUri.fsPath;
	const tree = new ModelsTreeProvider(runtime, storageDir, () => {
		const settings = getSettings();
		return { completion: settings.modelPath, chat: settings.chatModelPath || settings.modelPath, mmproj: settings.mmprojPath };
	});
	const view = vscode.window.createTreeView(ModelsCommandIds.view, { treeDataProvider: tree, showCollapseAll: false });

	const setModel = async (setting: string, path: string) => {
		await vscode.workspace.getConfiguration().update(setting, path, vscode.ConfigurationTarget.Global);
		await tree.refresh();
	};
	const useLocalFile = (path: string) => setModel(SettingIds.modelPath, path);
	const modelOf = (node: ModelsNode | undefined): DownloadedModel | undefined =>
		node?.kind === 'downloaded' ? node.model : node?.kind === 'recommended' ? node.model.downloaded : undefined;
	const report = (what: string, error: unknown) => {
		const info = errorInfoOf(error);
		log.error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
		void vscode.window.showErrorMessage(info ? `${info.message} ${info.action}` : `${what}: ${error instanceof Error ? error.message : String(error)}`);
	};

	const download = async (entry: CatalogEntry, ignoreFit: boolean): Promise<DownloadedModel | undefined> => {
		try {
			const model = await downloadWithProgress(runtime, entry.name, { storageDir, catalogId: entry.id, ignoreFit });
			await tree.refresh();
			if (!model) {
				void vscode.window.showInformationMessage(`The download of ${entry.name} was cancelled; downloading it again resumes where it stopped.`);
				return undefined;
			}
			const use = await vscode.window.showInformationMessage(`${entry.name} is downloaded.`, `Use for ${entry.role}`);
			if (use) {
				await setModel(entry.role === 'chat' ? SettingIds.chatModelPath : SettingIds.modelPath, model.modelPath);
			}
			return model;
		} catch (error) {
			await tree.refresh();
			const info = errorInfoOf(error);
			if (info?.code === 'modelTooLarge') {
				// Refused from the header before any of the body was fetched; the view now shows the checked fit.
				const answer = await vscode.window.showWarningMessage(`${info.message} ${info.action}`, 'Download Anyway', 'Show Models');
				if (answer === 'Download Anyway') {
					return download(entry, true);
				}
				if (answer === 'Show Models') {
					await vscode.commands.executeCommand(`${ModelsCommandIds.view}.focus`);
				}
				return undefined;
			}
			report(`Downloading ${entry.name} failed`, error);
			return undefined;
		}
	};

	let welcomed = false;
	const welcomeIfNoModel = () => {
		const state = runtime.currentState;
		if (welcomed || state.kind !== 'runtime' || state.runtime.kind !== 'idle' || state.runtime.reason.code !== 'noModel') {
			return;
		}
		welcomed = true;
		void tree.refresh().then(() => vscode.commands.executeCommand(`${ModelsCommandIds.view}.focus`));
	};

	context.subscriptions.push(
		tree,
		view,
		runtime.onDidChangeState(state => {
			welcomeIfNoModel();
			if (state.kind === 'runtime' && state.runtime.kind !== 'loading' && view.visible) {
				void tree.refresh();
			}
		}),
		view.onDidChangeVisibility(({ visible }) => visible && void tree.refresh()),
		vscode.commands.registerCommand(ModelsCommandIds.refresh, () => tree.refresh()),
		vscode.commands.registerCommand(ModelsCommandIds.show, () => vscode.commands.executeCommand(`${ModelsCommandIds.view}.focus`)),
		vscode.commands.registerCommand(ModelsCommandIds.pickLocal, async (path?: string) => {
			// A path argument skips the dialog (used by tests and other commands).
			const chosen = typeof path === 'string' ? path : (await vscode.window.showOpenDialog({
				title: 'Pick a local GGUF model for Bora', openLabel: 'Use Model', canSelectMany: false, filters: { 'GGUF models': ['gguf'] },
			}))?.[0]?.fsPath;
			if (chosen) {
				await useLocalFile(chosen);
			}
			return chosen;
		}),
		vscode.commands.registerCommand(ModelsCommandIds.checkFit, async (node?: ModelsNode) => {
			if (node?.kind !== 'recommended') {
				return undefined;
			}
			const { entry } = node.model;
			try {
				// Reads the model's remote header (network), so only on this click; the runtime stores the result.
				const checked = await vscode.window.withProgress(
					{ location: vscode.ProgressLocation.Notification, title: `Checking whether ${entry.name} fits this machine…`, cancellable: true },
					(_progress, token) => runtime.request(ModelsCheckFitRequest.type, { storageDir, catalogId: entry.id }, token),
				);
				tree.updateRecommended(checked);
				void vscode.window.showInformationMessage(`${entry.name}: ${checked.fit.summary}`);
				return checked;
			} catch (error) {
				report(`Checking the fit of ${entry.name} failed`, error);
				return undefined;
			}
		}),
		vscode.commands.registerCommand(ModelsCommandIds.download, async (node?: ModelsNode) => {
			if (node?.kind !== 'recommended') {
				return undefined;
			}
			const { entry, fit } = node.model;
			// A preliminary "too large" is not asked about: the runtime reads the header first and refuses only if it really cannot fit.
			const askFirst = fit.level === 'tight' || (fit.level === 'tooLarge' && fit.basis === 'header');
			if (askFirst) {
				const go = await vscode.window.showWarningMessage(`${entry.name}: ${fit.summary} Download anyway?`, { modal: true }, 'Download');
				if (go !== 'Download') {
					return undefined;
				}
			}
			return download(entry, askFirst);
		}),
		vscode.commands.registerCommand(ModelsCommandIds.use, async (node?: ModelsNode) => {
			const model = modelOf(node);
			if (model) {
				await setModel(model.role === 'chat' ? SettingIds.chatModelPath : SettingIds.modelPath, model.modelPath);
			}
		}),
		vscode.commands.registerCommand(ModelsCommandIds.useForChat, async (node?: ModelsNode) => {
			const model = modelOf(node);
			if (model) {
				await setModel(SettingIds.chatModelPath, model.modelPath);
			}
		}),
		vscode.commands.registerCommand(ModelsCommandIds.remove, async (node?: ModelsNode) => {
			const model = modelOf(node);
			if (!model) {
				return;
			}
			const settings = getSettings();
			const inUse = [settings.modelPath, settings.chatModelPath].includes(model.modelPath);
			const answer = await vscode.window.showWarningMessage(`Delete ${model.name} (${model.modelPath})?${inUse ? ' It is in use; Bora will have no model for that role.' : ''}`, { modal: true }, 'Delete');
			if (answer !== 'Delete') {
				return;
			}
			try {
				if (settings.modelPath === model.modelPath) {
					await vscode.workspace.getConfiguration().update(SettingIds.modelPath, '', vscode.ConfigurationTarget.Global);
				}
				if (settings.chatModelPath === model.modelPath) {
					await vscode.workspace.getConfiguration().update(SettingIds.chatModelPath, '', vscode.ConfigurationTarget.Global);
				}
				await runtime.request(ModelsDeleteRequest.type, { storageDir, id: model.id });
			} catch (error) {
				report(`Deleting ${model.name} failed`, error);
			}
			await tree.refresh();
		}),
	);
	welcomeIfNoModel();
	return { tree, useLocalFile };
}

function errorInfoOf(error: unknown): RuntimeErrorInfo | undefined {
	return error instanceof ResponseError && isErrorInfo(error.data) ? error.data : undefined;
}

function isErrorInfo(value: unknown): value is RuntimeErrorInfo {
	return typeof value === 'object' && value !== null && typeof (value as RuntimeErrorInfo).message === 'string' && typeof (value as RuntimeErrorInfo).action === 'string';
}
