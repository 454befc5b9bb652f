import * as vscode from 'vscode';
import { decideTrigger, defaultTriggerSettings, politenessValues, TypingRhythm, type Politeness, type TriggerSettings } from './triggerPolicy';

/** Setting ids of client-side triggering. */
export namespace TriggerSettingIds {
	export const maxSuffixCharsOnLine = 'bora.completion.maxSuffixCharsOnLine';
	export const politeness = 'bora.completion.politeness';
}

export function getTriggerSettings(): TriggerSettings {
	const config = vscode.workspace.getConfiguration();
	const politeness = config.get<string>(TriggerSettingIds.politeness, defaultTriggerSettings.politeness);
	const max = Math.floor(config.get<number>(TriggerSettingIds.maxSuffixCharsOnLine, defaultTriggerSettings.maxSuffixCharsOnLine));
	return {
		maxSuffixCharsOnLine: Number.isFinite(max) && max >= 0 ? max : defaultTriggerSettings.maxSuffixCharsOnLine,
		politeness: politenessValues.includes(politeness as Politeness) ? politeness as Politeness : defaultTriggerSettings.politeness,
	};
}

/**
 * Decides in the client whether an inline completion request goes to the runtime: explicit
 * requests always do; automatic ones wait for the adaptive debounce and are skipped when too much
 * text is right of the cursor. Learns the typing rhythm from document edits.
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
	async allows(document: vscode.TextDocument, position: vscode.Position, context: vscode.InlineCompletionContext, token: vscode.CancellationToken): Promise<boolean> {
		const settings = getTriggerSettings();
		const decision = decideTrigger({
			explicit: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
			lineSuffix: document.lineAt(position.line).text.slice(position.character),
			sinceLastKeystrokeMs: this.rhythm.sinceLastKeystroke(performance.now()),
			debounceMs: this.rhythm.debounceMs(settings.politeness, this.expectedLatencyMs()),
			settings,
		});
		switch (decision.kind) {
			case 'now':
				return !token.isCancellationRequested;
			case 'skip':
				return false;
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
