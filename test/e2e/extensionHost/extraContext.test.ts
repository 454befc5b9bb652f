import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompletionStatsInfo } from '../../../src/shared/protocol';
import { activateBora, triggerInlineCompletion, waitForReady } from './boraApi';
import { readFixtures } from './fixtures';

/** A file the user has open beside the one they type in: its shown lines become extra context. */
const helperSource = [
	'// Helpers the completion prompt should see as another file of the project.',
	'export function clamp(value, low, high) {',
	'\treturn Math.min(high, Math.max(low, value));',
	'}',
	'',
	'export function lerp(from, to, share) {',
	'\treturn from + (to - from) * share;',
	'}',
	'',
].join('\n');

function nextStats(client: Awaited<ReturnType<typeof activateBora>>, where: (info: CompletionStatsInfo) => boolean, timeoutMs = 60_000): Promise<CompletionStatsInfo> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			subscription.dispose();
			reject(new Error('No completion reported extra context in time'));
		}, timeoutMs);
		const subscription = client.onDidReportCompletionStats(info => {
			if (where(info)) {
				clearTimeout(timer);
				subscription.dispose();
				resolve(info);
			}
		});
	});
}

describe('extra context in a real editor', () => {
	it('the lines another editor shows become context of a completion in the next one', async () => {
		const client = await activateBora();
		await waitForReady(client);
		const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
		assert.ok(folder, 'the harness opens a workspace');
		const helper = vscode.Uri.joinPath(folder, 'helpers.js');
		await vscode.workspace.fs.writeFile(helper, new TextEncoder().encode(helperSource));
		try {
			// Showing it is all the user does: the extension reports the active editor and its visible lines.
			await vscode.window.showTextDocument(helper);
			const withContext = nextStats(client, info => (info.extraContextChunks ?? 0) > 0);
			const { canonicalFim } = readFixtures();
			await triggerInlineCompletion(client, canonicalFim.prefix, canonicalFim.suffix);
			const info = await withContext;
			assert.ok((info.extraContextTokens ?? 0) > 0, JSON.stringify(info));
			assert.ok(info.uri.startsWith('untitled:'), `the completion ran in the new editor, not in helpers.js: ${info.uri}`);
		} finally {
			await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
			await vscode.commands.executeCommand('workbench.action.closeAllEditors');
			await vscode.workspace.fs.delete(helper);
		}
	});
});
