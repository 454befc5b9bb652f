import * as vscode from 'vscode';
import { ChatCommandIds } from '../commandIds';
import type { StoredTurn } from './ChatHistory';
import type { ChatSession } from './ChatSession';
import type { ChatViewProvider } from './ChatViewProvider';
import { defaultImageQuestion, imageDisplayName, imageExtensions } from './imageFiles';
import type { ImageStore } from './ImageStore';

/** The image entry points outside the panel: the command with its file picker (also the explorer menu) and the clipboard. */
export function registerImageCommands(view: ChatViewProvider, session: ChatSession, images: ImageStore): vscode.Disposable[] {
	return [
		vscode.commands.registerCommand(ChatCommandIds.explainScreenshot, (resource?: unknown) => explainScreenshot(view, session, images, resource)),
		vscode.commands.registerCommand(ChatCommandIds.explainClipboardImage, async () => {
			await view.reveal();
			view.post({ type: 'pasteFromClipboard' });
		}),
	];
}

/**
 * Explains an image file: the explorer item it runs on, or one picked in a file dialog. The question
 * is optional; the answer streams into the chat panel. Resolves with the finished turn.
 */
async function explainScreenshot(view: ChatViewProvider, session: ChatSession, images: ImageStore, resource: unknown): Promise<StoredTurn | undefined> {
	let file = resource instanceof vscode.Uri ? resource : undefined;
	if (!file) {
		const picked = await vscode.window.showOpenDialog({
			title: 'Bora: Explain Screenshot', openLabel: 'Explain', canSelectMany: false, canSelectFolders: false,
			filters: { Images: [...imageExtensions] },
		});
		file = picked?.[0];
	}
	if (!file) {
		return undefined;
	}
	const question = await vscode.window.showInputBox({
		title: `Ask Bora about ${imageDisplayName(file.path, undefined)}`,
		prompt: `Your question about the image; leave it empty for "${defaultImageQuestion}"`,
		placeHolder: defaultImageQuestion,
	});
	if (question === undefined) {
		return undefined;
	}
	await view.reveal();
	if (session.busy) {
		void vscode.window.showInformationMessage('Bora is still answering in the chat. Stop it or wait, then ask about the image again.');
		return undefined;
	}
	return session.explainImage(await images.storeFile(file), question);
}
