import * as vscode from 'vscode';
import { CommandIds } from './commandIds';
import type { ClientState } from './ClientState';
import { walkthroughId, WalkthroughContextKeys } from './walkthroughIds';

/** globalState key: the walkthrough was opened once, so it does not open again by itself. */
const shownKey = 'bora.walkthroughShown';

/** The runtime's state, for "a model is ready". */
export interface WalkthroughRuntime {
	readonly onDidChangeState: vscode.Event<ClientState>;
	readonly currentState: ClientState;
}

/** The inline completions shown, for "a suggestion was shown". */
export interface WalkthroughCompletions {
	readonly onDidProvideInlineCompletions: vscode.Event<readonly vscode.InlineCompletionItem[]>;
}

/**
 * Keeps the walkthrough's context keys true to what happened, and opens the walkthrough on the first
 * activation, unless the user turned off `workbench.welcomePage.walkthroughs.openOnInstall` (VS Code's
 * own switch for walkthroughs that open by themselves).
 */
export function registerWalkthrough(globalState: vscode.Memento, runtime: WalkthroughRuntime, completions: WalkthroughCompletions): vscode.Disposable[] {
	const setModelReady = (state: ClientState) => void vscode.commands.executeCommand('setContext', WalkthroughContextKeys.modelReady, state.kind === 'runtime' && state.runtime.kind === 'ready');
	setModelReady(runtime.currentState);
	const completionShown = completions.onDidProvideInlineCompletions(items => {
		if (items.length > 0) {
			void vscode.commands.executeCommand('setContext', WalkthroughContextKeys.completionShown, true);
			completionShown.dispose();
		}
	});
	void openOnFirstRun(globalState);
	return [
		runtime.onDidChangeState(setModelReady),
		completionShown,
		vscode.commands.registerCommand(CommandIds.openWalkthrough, () => vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthroughId, false)),
	];
}

async function openOnFirstRun(globalState: vscode.Memento): Promise<void> {
	if (globalState.get<boolean>(shownKey) || !vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true)) {
		return;
	}
	await globalState.update(shownKey, true);
	// Beside the file the user has open (the demo's add.js), so both stay in view.
	await vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthroughId, vscode.window.activeTextEditor !== undefined);
}
