import * as vscode from 'vscode';
import { findApplyTarget, type ApplyTarget } from './findApplyTarget';

const proposalScheme = 'bora-proposal';

/**
 * What a code block's buttons do in the editor: insert at the cursor, or apply (over the selection,
 * the declaration of the same name, or at the cursor) after the user has seen a diff and confirmed.
 * Tracks the last text editor, because focusing the chat panel leaves none active in some hosts.
 */
export class CodeActions implements vscode.Disposable {
	private readonly proposals = new Map<string, string>();
	private readonly proposalChanged = new vscode.EventEmitter<vscode.Uri>();
	private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
	private readonly toDispose: vscode.Disposable[] = [];
	private nextProposal = 0;

	constructor() {
		this.toDispose.push(
			this.proposalChanged,
			vscode.workspace.registerTextDocumentContentProvider(proposalScheme, {
				onDidChange: this.proposalChanged.event,
				provideTextDocumentContent: uri => this.proposals.get(uri.toString()) ?? '',
			}),
			vscode.window.onDidChangeActiveTextEditor(editor => {
				if (editor && editor.document.uri.scheme !== proposalScheme) {
					this.lastEditor = editor;
				}
			}),
		);
	}

	/** The editor the code goes into: the active one, else the last one the user worked in. */
	get targetEditor(): vscode.TextEditor | undefined {
		const active = vscode.window.activeTextEditor;
		if (active && active.document.uri.scheme !== proposalScheme) {
			return active;
		}
		const last = this.lastEditor;
		return last && !last.document.isClosed ? vscode.window.visibleTextEditors.find(editor => editor.document === last.document) ?? last : undefined;
	}

	async copy(code: string): Promise<void> {
		await vscode.env.clipboard.writeText(code);
		void vscode.window.setStatusBarMessage('Bora: code copied', 2000);
	}

	async insert(code: string): Promise<boolean> {
		const editor = this.targetEditor;
		if (!editor) {
			void vscode.window.showWarningMessage('Open a file in an editor to insert the code at its cursor.');
			return false;
		}
		const shown = await vscode.window.showTextDocument(editor.document, editor.viewColumn);
		return shown.edit(builder => shown.selections.forEach(selection => builder.replace(selection, code)));
	}

	/**
	 * Shows the change as a diff, then applies it if confirmed. With a selection the code replaces
	 * it; without one it replaces the declaration of the same name in the file (the function the block
	 * rewrites), else goes in at the cursor. The whole file is never replaced unless selected.
	 */
	async apply(code: string): Promise<boolean> {
		const editor = this.targetEditor;
		if (!editor) {
			void vscode.window.showWarningMessage('Open a file and place the cursor (or select the code to replace), then use Apply.');
			return false;
		}
		const document = editor.document;
		const version = document.version;
		const text = document.getText();
		const name = document.uri.path.split('/').pop() ?? 'file';
		const target: ApplyTarget | { readonly kind: 'selection'; readonly start: number; readonly end: number; readonly code: string } = editor.selection.isEmpty
			? findApplyTarget({ text, cursor: document.offsetAt(editor.selection.active), code })
			: { kind: 'selection', start: document.offsetAt(editor.selection.start), end: document.offsetAt(editor.selection.end), code };
		const range = new vscode.Range(document.positionAt(target.start), document.positionAt(target.end));
		const proposed = text.slice(0, target.start) + target.code + text.slice(target.end);
		const uri = vscode.Uri.from({ scheme: proposalScheme, path: `/${++this.nextProposal}/${name}` });
		this.proposals.set(uri.toString(), proposed);
		try {
			await vscode.commands.executeCommand('vscode.diff', document.uri, uri, `${name} ↔ Bora's proposal`, { preview: true });
			const { question, button } = describeTarget(target, name, range.start.line + 1);
			const choice = await vscode.window.showInformationMessage(question, { modal: true, detail: 'The diff editor shows the change. To replace other code, select it and use Apply again.' }, button);
			if (choice !== button) {
				return false;
			}
			if (document.version !== version) {
				void vscode.window.showWarningMessage(`${name} changed while the diff was open; nothing was applied. Use Apply again.`);
				return false;
			}
			const edit = new vscode.WorkspaceEdit();
			edit.replace(document.uri, range, target.code);
			return await vscode.workspace.applyEdit(edit);
		} finally {
			this.proposals.delete(uri.toString());
			await closeTabsOf(uri);
		}
	}

	dispose(): void {
		this.toDispose.forEach(item => item.dispose());
		this.proposals.clear();
	}
}

/** The confirmation's question and button, naming what will change. */
function describeTarget(target: ApplyTarget | { readonly kind: 'selection' }, file: string, line: number): { question: string; button: string } {
	switch (target.kind) {
		case 'selection':
			return { question: `Replace the selection in ${file} with Bora's code?`, button: 'Replace Selection' };
		case 'region':
			return { question: `Replace ${target.name} in ${file} (line ${line}) with Bora's version?`, button: `Replace ${target.name}` };
		case 'cursor':
			return { question: `Insert Bora's code at the cursor in ${file} (line ${line})?`, button: 'Insert' };
		default:
			void (target satisfies never);
			throw new Error('Unknown apply target');
	}
}

async function closeTabsOf(uri: vscode.Uri): Promise<void> {
	const tabs = vscode.window.tabGroups.all.flatMap(group => group.tabs).filter(tab =>
		tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === uri.toString());
	if (tabs.length > 0) {
		await vscode.window.tabGroups.close(tabs);
	}
}
