import * as vscode from 'vscode';
import { ResponseError, type Middleware } from 'vscode-languageclient/node';
import { BoraErrorCodes, EditorContextNotification, type RuntimeErrorInfo } from '../../shared/protocol';
import { Disposable } from '../dispose';
import type { RuntimeClient } from '../RuntimeClient';
import { EditorContextReporter } from './EditorContextReporter';
import { InlineTriggerGate } from './InlineTriggerGate';
import type { LastCompletion } from './LastCompletion';

type ProvideInlineCompletionItems = NonNullable<Middleware['provideInlineCompletionItems']>;

/**
 * The client side of inline completion, hooked into the LanguageClient's requests: the trigger
 * gate's debounce, the editor context sent before each request, and an event with what the runtime
 * provided. Whether a suggestion can appear at all is the runtime's call: a request it cannot serve
 * gets no items and a `bora/noSuggestion` with the reason.
 */
export class InlineCompletionMiddleware extends Disposable {
	private readonly providedEmitter = this._register(new vscode.EventEmitter<readonly vscode.InlineCompletionItem[]>());
	/** Fires with the suggestions the runtime returned for each inline completion request. */
	readonly onDidProvideInlineCompletions = this.providedEmitter.event;
	/** Debounce and politeness for automatic requests, scaled by how long the last suggestion took. */
	private readonly triggerGate: InlineTriggerGate;
	/** The active editor, what it shows and (when allowed) copied text, for completion's extra context. */
	private readonly editorContext: EditorContextReporter;
	/** The last "cannot complete" reason logged. */
	private lastUnavailable: string | undefined;

	constructor(runtime: RuntimeClient, lastCompletion: LastCompletion, private readonly log: vscode.LogOutputChannel) {
		super();
		this.triggerGate = this._register(new InlineTriggerGate(() => lastCompletion.outcome.stats?.totalMs ?? 0));
		this.editorContext = this._register(new EditorContextReporter(params => runtime.notify(EditorContextNotification.type, params)));
		this._register(runtime.onDidStart(() => this.editorContext.report()));
		this._register(runtime.registerMiddleware({
			provideInlineCompletionItems: (document, position, context, token, next) => this.provide(document, position, context, token, next),
		}));
	}

	private async provide(
		document: vscode.TextDocument, position: vscode.Position, context: vscode.InlineCompletionContext, token: vscode.CancellationToken,
		next: Parameters<ProvideInlineCompletionItems>[4],
	): Promise<vscode.InlineCompletionItem[] | vscode.InlineCompletionList | null | undefined> {
		if (!(await this.triggerGate.allows(context, token))) {
			return null;
		}
		await this.editorContext.beforeCompletion();
		try {
			const result = await next(document, position, context, token);
			this.lastUnavailable = undefined;
			if (result && !token.isCancellationRequested) {
				this.providedEmitter.fire(Array.isArray(result) ? result : result.items);
			}
			return result;
		} catch (error) {
			// A runtime without a usable model may still refuse with an error rather than a reason.
			if (error instanceof ResponseError && error.code === BoraErrorCodes.unavailable) {
				const message = (error.data as RuntimeErrorInfo | undefined)?.message ?? error.message;
				// Every keystroke gets the same answer until the model or the settings change: say it once.
				if (message !== this.lastUnavailable) {
					this.log.warn(`Completion unavailable: ${message}`);
					this.lastUnavailable = message;
				}
				return null;
			}
			throw error;
		}
	}
}
