import * as vscode from 'vscode';
import { ChatCommandIds } from '../commandIds';
import type { ChatSession } from './ChatSession';
import type { ChatViewProvider } from './ChatViewProvider';

/** What "Explain Selection" asks, and what "Ask About Selection…" asks when left empty. */
export const explainSelectionQuestion = 'Explain this code.';

/** The editor's context-menu entries: the selection goes into the chat as an attachment, with a question. */
export function registerSelectionCommands(view: ChatViewProvider, session: ChatSession): vscode.Disposable[] {
	return [
		vscode.commands.registerCommand(ChatCommandIds.explainSelection, () => askAboutSelection(view, session, explainSelectionQuestion)),
		vscode.commands.registerCommand(ChatCommandIds.askAboutSelection, async () => {
			if (!hasSelection()) {
				return undefined;
			}
			const question = await vscode.window.showInputBox({
				title: 'Ask Bora about the selection',
				prompt: `Your question about the selected code; leave it empty for "${explainSelectionQuestion}"`,
				placeHolder: explainSelectionQuestion,
			});
			return question === undefined ? undefined : askAboutSelection(view, session, question.trim() || explainSelectionQuestion);
		}),
	];
}

function hasSelection(): boolean {
	const editor = vscode.window.activeTextEditor;
	if (!editor || editor.selection.isEmpty) {
		void vscode.window.showInformationMessage('Select some code in the editor first, then ask Bora about it.');
		return false;
	}
	return true;
}

async function askAboutSelection(view: ChatViewProvider, session: ChatSession, question: string) {
	if (question === explainSelectionQuestion && !hasSelection()) {
		return undefined;
	}
	await view.reveal();
	if (session.busy) {
		void vscode.window.showInformationMessage('Bora is still answering in the chat. Stop it or wait, then ask about the selection again.');
		return undefined;
	}
	return session.send({ text: question, includeFile: false, includeSelection: true, mentions: [] });
}
