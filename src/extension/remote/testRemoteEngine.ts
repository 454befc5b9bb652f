import * as vscode from 'vscode';
import { TestRemoteEngineRequest, type RemoteEngineReport } from '../../shared/protocol';
import type { ErrorActionRunner } from '../ErrorActionRunner';
import type { RuntimeClient } from '../RuntimeClient';
import { getSettings, SettingIds } from '../settings';
import { describeTestReport, hostOf, remoteErrorOf } from './describeRemote';
import type { RemoteEngineWatch } from './RemoteEngineWatch';

export interface TestRemoteEngineServices {
	readonly runtime: RuntimeClient;
	readonly remote: RemoteEngineWatch;
	readonly log: vscode.LogOutputChannel;
	readonly errorActions: ErrorActionRunner;
}

/** vscode-jsonrpc's codes for "method not found" and a request the user cancelled. */
const methodNotFound = -32601;
const requestCancelled = -32800;

/**
 * **Bora: Test Remote Engine**: the runtime tries every role once against `bora.remote.url` (with a
 * cancellable progress notification); each role's line goes to the log, and a notification sums it
 * up with "Show Details". Resolves the report, or undefined when there was none.
 */
export async function testRemoteEngine({ runtime, remote, log, errorActions }: TestRemoteEngineServices): Promise<RemoteEngineReport | undefined> {
	const { remoteUrl, engine } = getSettings();
	if (remoteUrl.trim() === '') {
		await errorActions.notify('Bora: there is no remote engine to test: bora.remote.url is empty.', { code: 'remoteNotConfigured', text: `Set ${SettingIds.remoteUrl}.` });
		return undefined;
	}
	const host = hostOf(remoteUrl);
	let report: RemoteEngineReport;
	try {
		report = await vscode.window.withProgress(
			{ location: vscode.ProgressLocation.Notification, title: `Bora: testing the remote engine at ${host}…`, cancellable: true },
			(_progress, token) => runtime.request(TestRemoteEngineRequest.type, undefined, token),
		);
	} catch (error) {
		const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
		if (code === requestCancelled) {
			return undefined;
		}
		const message = code === methodNotFound
			? "This version of Bora's runtime cannot test a remote engine (it does not know bora/remote/test)."
			: `Testing ${host} failed: ${error instanceof Error ? error.message : String(error)}`;
		log.warn(`Test Remote Engine: ${message}`);
		void vscode.window.showErrorMessage(`Bora: ${message}`);
		return undefined;
	}
	remote.update(report.status);
	const view = describeTestReport(report);
	log.info(`Test Remote Engine (${host}${engine === 'remote' ? '' : ', bora.engine is local'}):`);
	for (const line of view.lines) {
		log.info(`  ${line}`);
	}
	const details = 'Show Details';
	const extra = engine === 'remote' ? [] : [' bora.engine is local: set it to remote to use this server.'];
	const summary = `Bora: ${view.summary}${extra.join('')}`;
	if (view.ok) {
		void vscode.window.showInformationMessage(summary, details).then(choice => choice === details && log.show(true));
	} else if (view.imagesOnly) {
		// Completion and chat work; a server without a vision projector is a limit, not a failure.
		void vscode.window.showWarningMessage(summary, details).then(choice => choice === details && log.show(true));
	} else {
		const error = remoteErrorOf({ url: remoteUrl, completionModel: '', chatModel: '', status: report.status }) ?? { text: summary };
		void errorActions.notify(summary, error, details).then(choice => choice === details && log.show(true));
	}
	return report;
}
