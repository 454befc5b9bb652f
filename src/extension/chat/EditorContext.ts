import * as vscode from 'vscode';
import type { Attachment } from './formatMessage';
import type { EditorContextView } from '../../shared/webviewMessages';

/** Files bigger than this are cut, so one mention cannot fill the model's context. */
const maxAttachmentChars = 32_000;

/** The current file and selection as the chat panel offers them, and the text they attach. */
export class EditorContext implements vscode.Disposable {
	private readonly changed = new vscode.EventEmitter<EditorContextView>();
	private readonly toDispose: vscode.Disposable[] = [this.changed];
	private editor: vscode.TextEditor | undefined;
	readonly onDidChange = this.changed.event;

	constructor() {
		this.editor = usable(vscode.window.activeTextEditor);
		this.toDispose.push(
			vscode.window.onDidChangeActiveTextEditor(editor => {
				if (usable(editor)) {
					this.editor = editor;
					this.changed.fire(this.view);
				}
			}),
			vscode.window.onDidChangeTextEditorSelection(event => {
				if (usable(event.textEditor)) {
					this.editor = event.textEditor;
					this.changed.fire(this.view);
				}
			}),
			vscode.workspace.onDidCloseTextDocument(document => {
				if (this.editor?.document === document) {
					this.editor = undefined;
					this.changed.fire(this.view);
				}
			}),
		);
	}

	get view(): EditorContextView {
		const editor = this.editor;
		if (!editor) {
			return {};
		}
		const file = relativeName(editor.document.uri);
		const selection = editor.selection;
		if (selection.isEmpty) {
			return { file };
		}
		return { file, selection: `${file}:${selection.start.line + 1}-${selection.end.line + 1}` };
	}

	/** The attachments for one message, read now (so they are what the user sees when sending). */
	async attachments({ includeFile, includeSelection, mentions }: { includeFile: boolean; includeSelection: boolean; mentions: readonly string[] }): Promise<Attachment[]> {
		const result: Attachment[] = [];
		const editor = this.editor;
		const view = this.view;
		if (editor && includeSelection && view.selection) {
			result.push({ label: view.selection, language: editor.document.languageId, text: editor.document.getText(editor.selection) });
		}
		if (editor && includeFile && view.file) {
			result.push({ label: view.file, language: editor.document.languageId, text: cut(editor.document.getText()) });
		}
		for (const mention of new Set(mentions)) {
			if (editor && includeFile && mention === view.file) {
				continue;
			}
			const uri = resolveMention(mention);
			if (!uri) {
				continue;
			}
			try {
				const document = await vscode.workspace.openTextDocument(uri);
				result.push({ label: mention, language: document.languageId, text: cut(document.getText()) });
			} catch {
				result.push({ label: mention, language: '', text: '(Bora could not read this file.)' });
			}
		}
		return result;
	}

	/** `@` in the input: a QuickPick of workspace files; returns the picked workspace-relative path. */
	async pickFile(): Promise<string | undefined> {
		const files = await vscode.workspace.findFiles('**/*', '**/{node_modules,.git,dist,out}/**', 2000);
		const items = files.map(uri => ({ label: relativeName(uri), uri })).sort((a, b) => a.label.localeCompare(b.label));
		const picked = await vscode.window.showQuickPick(items, { title: 'Mention a file in the chat', placeHolder: 'Type to filter workspace files', matchOnDescription: true });
		return picked?.label;
	}

	dispose(): void {
		this.toDispose.forEach(item => item.dispose());
	}
}

function usable(editor: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
	return editor && (editor.document.uri.scheme === 'file' || editor.document.uri.scheme === 'untitled') ? editor : undefined;
}

function relativeName(uri: vscode.Uri): string {
	return uri.scheme === 'untitled' ? uri.path : vscode.workspace.asRelativePath(uri, false);
}

function resolveMention(path: string): vscode.Uri | undefined {
	const folder = vscode.workspace.workspaceFolders?.[0];
	if (!folder || path.split('/').includes('..')) {
		return undefined;
	}
	return vscode.Uri.joinPath(folder.uri, path);
}

function cut(text: string): string {
	return text.length > maxAttachmentChars ? `${text.slice(0, maxAttachmentChars)}\n… (cut: the file has ${text.length} characters)` : text;
}
