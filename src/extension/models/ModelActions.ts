import * as vscode from 'vscode';
import { ResponseError } from 'vscode-languageclient/node';
import { ModelsCheckFitRequest, ModelsDeleteRequest, type CatalogEntry, type DownloadedModel, type RecommendedModel, type RuntimeErrorInfo } from '../../shared/protocol';
import type { RuntimeClient } from '../RuntimeClient';
import { getSettings, SettingIds } from '../settings';
import { downloadWithProgress } from './downloadWithProgress';
import { ModelsCommandIds } from './modelsCommandIds';
import type { ModelsNode, ModelsTreeProvider } from './ModelsTreeProvider';

/**
 * What the Models view's commands do: pick a local GGUF, check a catalog model's fit, download,
 * use (for completion or chat) and delete. Each one refreshes the view and reports failures to the
 * log and in a message; nothing downloads without a click.
 */
export class ModelActions {
	constructor(
		private readonly runtime: RuntimeClient,
		private readonly tree: ModelsTreeProvider,
		private readonly storageDir: string,
		private readonly log: vscode.LogOutputChannel,
	) { }

	/** "Pick a local GGUF…": a path argument skips the dialog (used by tests and other commands). */
	async pickLocal(path?: unknown): Promise<string | undefined> {
		const chosen = typeof path === 'string' ? path : (await vscode.window.showOpenDialog({
			title: 'Pick a local GGUF model for Bora', openLabel: 'Use Model', canSelectMany: false, filters: { 'GGUF models': ['gguf'] },
		}))?.[0]?.fsPath;
		if (chosen) {
			await this.setModel(SettingIds.modelPath, chosen);
		}
		return chosen;
	}

	async checkFit(node?: ModelsNode): Promise<RecommendedModel | undefined> {
		if (node?.kind !== 'recommended') {
			return undefined;
		}
		const { entry } = node.model;
		try {
			// Reads the model's remote header (network), so only on this click; the runtime stores the result.
			const checked = await vscode.window.withProgress(
				{ location: vscode.ProgressLocation.Notification, title: `Checking whether ${entry.name} fits this machine…`, cancellable: true },
				(_progress, token) => this.runtime.request(ModelsCheckFitRequest.type, { storageDir: this.storageDir, catalogId: entry.id }, token),
			);
			this.tree.updateRecommended(checked);
			void vscode.window.showInformationMessage(`${entry.name}: ${checked.fit.summary}`);
			return checked;
		} catch (error) {
			void this.report(`Checking the fit of ${entry.name} failed`, error);
			return undefined;
		}
	}

	async download(node?: ModelsNode): Promise<DownloadedModel | undefined> {
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
		return this.downloadEntry(entry, askFirst);
	}

	/** Uses a downloaded model for its own role. */
	async use(node?: ModelsNode): Promise<void> {
		const model = modelOf(node);
		if (model) {
			await this.setModel(model.role === 'chat' ? SettingIds.chatModelPath : SettingIds.modelPath, model.modelPath);
		}
	}

	async useForChat(node?: ModelsNode): Promise<void> {
		const model = modelOf(node);
		if (model) {
			await this.setModel(SettingIds.chatModelPath, model.modelPath);
		}
	}

	/** Deletes a downloaded model after asking; a model in use is unset for its role first. */
	async remove(node?: ModelsNode): Promise<void> {
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
			await this.runtime.request(ModelsDeleteRequest.type, { storageDir: this.storageDir, id: model.id });
		} catch (error) {
			void this.report(`Deleting ${model.name} failed`, error);
		}
		await this.tree.refresh();
	}

	private async downloadEntry(entry: CatalogEntry, ignoreFit: boolean): Promise<DownloadedModel | undefined> {
		try {
			const model = await downloadWithProgress(this.runtime, entry.name, { storageDir: this.storageDir, catalogId: entry.id, ignoreFit });
			await this.tree.refresh();
			if (!model) {
				void vscode.window.showInformationMessage(`The download of ${entry.name} was cancelled; downloading it again resumes where it stopped.`);
				return undefined;
			}
			const use = await vscode.window.showInformationMessage(`${entry.name} is downloaded.`, `Use for ${entry.role}`);
			if (use) {
				await this.setModel(entry.role === 'chat' ? SettingIds.chatModelPath : SettingIds.modelPath, model.modelPath);
			}
			return model;
		} catch (error) {
			await this.tree.refresh();
			const info = errorInfoOf(error);
			if (info?.code === 'modelTooLarge') {
				// Refused from the header before any of the body was fetched; the view now shows the checked fit.
				const answer = await vscode.window.showWarningMessage(`${info.message} ${info.action}`, 'Download Anyway', 'Show Models');
				if (answer === 'Download Anyway') {
					return this.downloadEntry(entry, true);
				}
				if (answer === 'Show Models') {
					await vscode.commands.executeCommand(`${ModelsCommandIds.view}.focus`);
				}
				return undefined;
			}
			// The runtime says why (an unresolvable host, a refused connection, an HTTP status, a stalled server) and keeps what arrived, so Retry resumes.
			if (await this.report(`Downloading ${entry.name} failed`, error, 'Retry') === 'Retry') {
				return this.downloadEntry(entry, ignoreFit);
			}
			return undefined;
		}
	}

	private async setModel(setting: string, path: string): Promise<void> {
		await vscode.workspace.getConfiguration().update(setting, path, vscode.ConfigurationTarget.Global);
		await this.tree.refresh();
	}

	/** Logs a failure and shows it with its action; resolves with the button picked, if `actions` offers any. */
	private report<T extends string>(what: string, error: unknown, ...actions: T[]): Thenable<T | undefined> {
		const info = errorInfoOf(error);
		const message = error instanceof Error ? error.message : String(error);
		this.log.error(`${what}: ${message}`);
		return vscode.window.showErrorMessage(info ? `${info.message} ${info.action}` : `${what}: ${message}`, ...actions);
	}
}

/** The downloaded copy a node stands for, if any. */
function modelOf(node: ModelsNode | undefined): DownloadedModel | undefined {
	return node?.kind === 'downloaded' ? node.model : node?.kind === 'recommended' ? node.model.downloaded : undefined;
}

function errorInfoOf(error: unknown): RuntimeErrorInfo | undefined {
	return error instanceof ResponseError && isErrorInfo(error.data) ? error.data : undefined;
}

function isErrorInfo(value: unknown): value is RuntimeErrorInfo {
	return typeof value === 'object' && value !== null && typeof (value as RuntimeErrorInfo).message === 'string' && typeof (value as RuntimeErrorInfo).action === 'string';
}
