import * as vscode from 'vscode';
import { ModelsDownloadProgressNotification, ModelsDownloadRequest, type DownloadedModel, type ModelsDownloadParams } from '../../shared/protocol';
import type { RuntimeClient } from '../RuntimeClient';
import { describeProgress } from './describeModels';

/**
 * Runs one download in the runtime behind a cancellable progress notification showing bytes, speed
 * and time left. Resolves with the model, or undefined when the user cancelled; rejects on failure.
 */
export async function downloadWithProgress(runtime: RuntimeClient, name: string, params: Omit<ModelsDownloadParams, 'downloadId'>): Promise<DownloadedModel | undefined> {
	const downloadId = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
	return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${name}`, cancellable: true }, async (progress, token) => {
		let reported = 0;
		// Until the server has told the size; the runtime ends a download whose server does not answer.
		progress.report({ message: 'Connecting…' });
		const listener = runtime.onNotification(ModelsDownloadProgressNotification.type, event => {
			if (event.downloadId !== downloadId || event.totalBytes <= 0) {
				return;
			}
			const percent = (100 * event.downloadedBytes) / event.totalBytes;
			progress.report({ message: describeProgress(event), increment: Math.max(0, percent - reported) });
			reported = Math.max(reported, percent);
		});
		try {
			return await runtime.request(ModelsDownloadRequest.type, { ...params, downloadId }, token);
		} catch (error) {
			if (token.isCancellationRequested) {
				return undefined;
			}
			throw error;
		} finally {
			listener.dispose();
		}
	});
}
