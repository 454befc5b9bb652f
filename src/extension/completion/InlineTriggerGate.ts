import * as vscode from 'vscode';
import { getSetting } from '../settings';
import { decideTrigger, TypingRhythm } from './triggerPolicy';

/**
 * Decides in the client whether an inline completion request goes to the runtime: explicit
 * requests always do; automatic ones wait for the adaptive debounce. Learns the typing rhythm from
 * document edits. Too much text right of the cursor is the runtime's reason `suffixOnLine`.
 */
export class InlineTriggerGate implements vscode.Disposable {
	private readonly rhythm = new TypingRhythm();
	private readonly subscription: vscode.Disposable;

	constructor(private readonly expectedLatencyMs: () => number = () => 0) {
		this.subscription = vscode.workspace.onDidChangeTextDocument(event => {
			if (event.contentChanges.length > 0 && event.document === vscode.window.activeTextEditor?.document) {
				this.rhythm.keystroke(performance.now());
			}
		});
	}

	/** Resolves `true` when the request should go to the runtime, after any debounce; `false` when skipped or cancelled meanwhile. */
	async allows(context: vscode.InlineCompletionContext, token: vscode.CancellationToken): Promise<boolean> {
		const decision = decideTrigger({
			explicit: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
			sinceLastKeystrokeMs: this.rhythm.sinceLastKeystroke(performance.now()),
			debounceMs: this.rhythm.debounceMs(getSetting('politeness'), this.expectedLatencyMs()),
		});
		switch (decision.kind) {
			case 'now':
				return !token.isCancellationRequested;
			case 'after':
				return waitUnlessCancelled(decision.delayMs, token);
			default:
				void (decision satisfies never);
				return false;
		}
	}

	dispose(): void {
		this.subscription.dispose();
	}
}

/** `true` after `ms`, or `false` as soon as the request is cancelled (a newer keystroke supersedes it). */
function waitUnlessCancelled(ms: number, token: vscode.CancellationToken): Promise<boolean> {
	return new Promise(resolve => {
		const timer = setTimeout(() => {
			listener.dispose();
			resolve(!token.isCancellationRequested);
		}, ms);
		const listener = token.onCancellationRequested(() => {
			clearTimeout(timer);
			listener.dispose();
			resolve(false);
		});
	});
}
