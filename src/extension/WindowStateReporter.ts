import * as vscode from 'vscode';
import { WindowStateNotification, type WindowStateParams } from '../shared/sharedRuntime';
import { Disposable } from './dispose';
import type { RuntimeClient } from './RuntimeClient';

/**
 * Tells the runtime who this window is and whether it has focus: after each connection (a shared
 * runtime forgets a window that reconnects) and whenever the focus changes, so the focused window's
 * completions go first and the runtime's log and status name the window.
 */
export class WindowStateReporter extends Disposable {
	constructor(private readonly runtime: RuntimeClient) {
		super();
		this._register(runtime.onDidConnect(() => this.send()));
		this._register(vscode.window.onDidChangeWindowState(() => this.send()));
	}

	private send(): void {
		this.runtime.notify(WindowStateNotification.type, currentWindowState());
	}
}

/** The window as the runtime should know it. */
export function currentWindowState(): WindowStateParams {
	return { name: vscode.workspace.name ?? 'Untitled window', focused: vscode.window.state.focused };
}
