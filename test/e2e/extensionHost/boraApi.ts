import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { BoraApi } from '../../../src/extension/BoraApi';
import type { ClientState } from '../../../src/extension/ClientState';

export const extensionId = 'bora.bora';

export async function activateBora(): Promise<BoraApi> {
	const extension = vscode.extensions.getExtension<BoraApi>(extensionId);
	if (!extension) {
		throw new Error(`${extensionId} is not installed in this VS Code`);
	}
	return extension.activate();
}

type ReadyState = Extract<ClientState, { kind: 'runtime' }> & { runtime: { kind: 'ready' } };

/** Resolves on the first state (current or future) that passes `where`; driven by state events. */
export function waitForState(client: BoraApi, where: (state: ClientState) => boolean, timeoutMs = 60_000): Promise<ClientState> {
	return new Promise((resolve, reject) => {
		if (where(client.currentState)) {
			resolve(client.currentState);
			return;
		}
		const timer = setTimeout(() => {
			subscription.dispose();
			reject(new Error(`Timed out; last state: ${JSON.stringify(client.currentState)}`));
		}, timeoutMs);
		const subscription = client.onDidChangeState(state => {
			if (where(state)) {
				clearTimeout(timer);
				subscription.dispose();
				resolve(state);
			}
		});
	});
}

export async function waitForReady(client: BoraApi, modelName?: string): Promise<ReadyState> {
	return await waitForState(client, state => state.kind === 'runtime' && state.runtime.kind === 'ready' && (modelName === undefined || state.runtime.model.name === modelName)) as ReadyState;
}

/** The runtime processes this extension host started (these tests run inside the extension host). */
export function runtimePids(): number[] {
	try {
		return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'dist/server.mjs'], { encoding: 'utf8' }).trim().split('\n').map(Number);
	} catch {
		return [];
	}
}

/**
 * Opens an editor holding `prefix` + `suffix` with the cursor between them, triggers inline
 * completion the way a user's pause does, and resolves with what Bora's provider returned.
 */
export async function triggerInlineCompletion(client: BoraApi, prefix: string, suffix: string): Promise<{ document: vscode.TextDocument; items: readonly vscode.InlineCompletionItem[] }> {
	const document = await vscode.workspace.openTextDocument({ language: 'javascript', content: `${prefix}${suffix}\n` });
	const editor = await vscode.window.showTextDocument(document);
	const cursor = new vscode.Position(0, prefix.length);
	editor.selection = new vscode.Selection(cursor, cursor);
	let received: ((items: readonly vscode.InlineCompletionItem[]) => void) | undefined;
	const provided = new Promise<readonly vscode.InlineCompletionItem[]>(resolve => received = resolve);
	const subscription = client.onDidProvideInlineCompletions(items => received?.(items));
	try {
		// VS Code drops an explicit trigger now and then (a fetch cancelled by its own editor bookkeeping
		// right after a document opens, or while a model or connection changes), and the provider then
		// answers nothing: ask again rather than wait for an answer that will not come.
		for (let attempt = 1; ; attempt++) {
			await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
			const items = await Promise.race([provided, new Promise<undefined>(resolve => setTimeout(resolve, 10_000))]);
			if (items || attempt === 5) {
				return { document, items: items ?? await provided };
			}
			console.log(`triggerInlineCompletion: no answer 10 s after trigger ${attempt}; triggering again`);
		}
	} finally {
		subscription.dispose();
	}
}
