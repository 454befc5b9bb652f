import * as vscode from 'vscode';

const proposalScheme = 'bora-proposal';

/**
 * What a code block's buttons do in the editor: insert at the cursor, or replace the selection after
 * the user has seen a diff and confirmed. Tracks the last text editor, because focusing the chat
 * panel leaves none active in some hosts.
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

	/** Shows the selection (or the whole file when nothing is selected) replaced by `code` as a diff, then applies it if confirmed. */
	async apply(code: string): Promise<boolean> {
		const editor = this.targetEditor;
		if (!editor) {
			void vscode.window.showWarningMessage('Open a file and select the code to replace, then use Apply.');
			return false;
		}
		const document = editor.document;
		const version = document.version;
		const range = editor.selection.isEmpty ? fullRange(document) : new vscode.Range(editor.selection.start, editor.selection.end);
		const text = document.getText();
		const proposed = text.slice(0, document.offsetAt(range.start)) + code + text.slice(document.offsetAt(range.end));
		const name = document.uri.path.split('/').pop() ?? 'file';
		const uri = vscode.Uri.from({ scheme: proposalScheme, path: `/${++this.nextProposal}/${name}` });
		this.proposals.set(uri.toString(), proposed);
		try {
			await vscode.commands.executeCommand('vscode.diff', document.uri, uri, `${name} ↔ Bora's proposal`, { preview: true });
			const what = editor.selection.isEmpty ? `all of ${name}` : `the selection in ${name}`;
			const choice = await vscode.window.showInformationMessage(`Apply Bora's code to ${what}?`, { modal: true, detail: 'The diff editor shows the change.' }, 'Apply');
			if (choice !== 'Apply') {
				return false;
			}
			if (document.version !== version) {
				void vscode.window.showWarningMessage(`${name} changed while the diff was open; nothing was applied. Use Apply again.`);
				return false;
			}
			const edit = new vscode.WorkspaceEdit();
			edit.replace(document.uri, range, code);
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

function fullRange(document: vscode.TextDocument): vscode.Range {
	return new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
}

async function closeTabsOf(uri: vscode.Uri): Promise<void> {
	const tabs = vscode.window.tabGroups.all.flatMap(group => group.tabs).filter(tab =>
		tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === uri.toString());
	if (tabs.length > 0) {
		await vscode.window.tabGroups.close(tabs);
	}
}
