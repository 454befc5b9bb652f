import * as vscode from 'vscode';
import type { EditorContextParams } from '../../shared/protocol';
import { getSetting } from '../settings';

export interface EditorContextReporterOptions {
	/** Wait after scrolling stops before the shown lines are sent. Defaults to `500` ms. */
	readonly scrollQuietMs?: number;
	/** Copied text longer than this is not sent. Defaults to `16384` characters. */
	readonly maxCopiedChars?: number;
}

/**
 * Tells the runtime what the user is looking at (`bora/editorContext`): the active editor and the
 * lines it shows, for the extra context of completion prompts. With
 * `bora.completion.extraContext.clipboard` on it also sends copied text: VS Code has no copy
 * event, so the clipboard is read when a completion is about to be requested (as llama.vscode
 * does) and sent only when it changed.
 */
export class EditorContextReporter implements vscode.Disposable {
	private readonly subscriptions: vscode.Disposable[];
	private scrollTimer: NodeJS.Timeout | undefined;
	private lastCopied: string | undefined;
	private readonly scrollQuietMs: number;
	private readonly maxCopiedChars: number;

	constructor(private readonly send: (params: EditorContextParams) => void, { scrollQuietMs = 500, maxCopiedChars = 16_384 }: EditorContextReporterOptions = {}) {
		this.scrollQuietMs = scrollQuietMs;
		this.maxCopiedChars = maxCopiedChars;
		this.subscriptions = [
			vscode.window.onDidChangeActiveTextEditor(() => this.report()),
			// Back from a break: the runtime evaluates the prompt at the cursor again (its context may have been freed meanwhile).
			vscode.window.onDidChangeWindowState(state => {
				if (state.focused) {
					this.report();
				}
			}),
			vscode.window.onDidChangeTextEditorVisibleRanges(event => {
				if (event.textEditor === vscode.window.activeTextEditor) {
					clearTimeout(this.scrollTimer);
					this.scrollTimer = setTimeout(() => this.report(), this.scrollQuietMs);
				}
			}),
		];
	}

	/**
	 * Sends the active editor and its cursor, so the runtime evaluates the prompt there before the
	 * first keystroke, and the lines it shows for the extra context (not while extra context is off).
	 */
	report(): void {
		clearTimeout(this.scrollTimer);
		const { visibleLines, ...context } = activeEditorContext();
		this.send(getSetting('extraContextEnabled') && visibleLines ? { ...context, visibleLines } : context);
	}

	/** Called before each completion request: sends newly copied text when the user allowed it. */
	async beforeCompletion(): Promise<void> {
		if (!getSetting('extraContextEnabled') || !getSetting('extraContextClipboard')) {
			return;
		}
		const copied = await Promise.resolve(vscode.env.clipboard.readText()).catch(() => '');
		if (copied === this.lastCopied) {
			return;
		}
		this.lastCopied = copied;
		if (copied.trim().length > 0 && copied.length <= this.maxCopiedChars) {
			this.send({ ...activeEditorContext(), copiedText: copied });
		}
	}

	dispose(): void {
		clearTimeout(this.scrollTimer);
		this.subscriptions.forEach(subscription => subscription.dispose());
	}
}

function activeEditorContext(): EditorContextParams {
	const editor = vscode.window.activeTextEditor;
	if (!editor || (editor.document.uri.scheme !== 'file' && editor.document.uri.scheme !== 'untitled')) {
		return {};
	}
	const visible = editor.visibleRanges;
	const cursor = editor.selection.active;
	return {
		uri: editor.document.uri.toString(),
		cursor: { line: cursor.line, character: cursor.character },
		...(visible.length > 0 ? { visibleLines: { start: visible[0]!.start.line, end: visible.at(-1)!.end.line + 1 } } : {}),
	};
}
