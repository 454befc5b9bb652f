import * as vscode from 'vscode';
import type { ErrorActionRunner } from '../ErrorActionRunner';
import { errorActions, isErrorAction } from '../errorActions';
import type { RemoteView } from '../remote/describeRemote';
import type { RuntimeClient } from '../RuntimeClient';
import { getReasoningEffort, getSettings, setReasoningEffort } from '../settings';
import { chatProblem } from './chatAvailability';
import { chatResourceRoots, renderChatHtml } from './chatHtml';
import type { ChatSession } from './ChatSession';
import type { CodeActions } from './CodeActions';
import { describeEffortControl } from './effortControl';
import type { EditorContext } from './EditorContext';
import type { FromWebviewMessage, ToWebviewMessage, TurnView } from '../../shared/webviewMessages';

/** The "Bora" chat view in its own activity-bar container. */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
	static readonly viewId = 'bora.chat';
	private view: vscode.WebviewView | undefined;
	/** True once the current webview said `ready`; messages before that would be lost. */
	private ready = false;
	private disposed = false;
	private readonly readyEmitter = new vscode.EventEmitter<void>();
	private readonly toDispose: vscode.Disposable[] = [this.readyEmitter];
	/** Fires each time a (re)loaded panel has received its state; `reveal` waits on it. */
	readonly onDidBecomeReady = this.readyEmitter.event;

	constructor(
		private readonly extensionUri: vscode.Uri,
		private readonly runtime: RuntimeClient,
		private readonly editorContext: EditorContext,
		private readonly codeActions: CodeActions,
		private readonly log: vscode.LogOutputChannel,
		private readonly session: ChatSession,
		private readonly errorRunner: ErrorActionRunner,
		private readonly imageFolder?: vscode.Uri,
		/** The remote engine while `bora.engine` is remote: the effort control and availability follow the server. */
		private readonly remote: () => RemoteView | undefined = () => undefined,
	) {
		this.toDispose.push(
			editorContext.onDidChange(context => this.post({ type: 'editorContext', context })),
			runtime.onDidChangeState(() => this.postStatus()),
		);
	}

	resolveWebviewView(view: vscode.WebviewView): void {
		this.view = view;
		this.ready = false;
		view.webview.options = {
			enableScripts: true,
			enableForms: false,
			enableCommandUris: false,
			localResourceRoots: chatResourceRoots(this.extensionUri, vscode.Uri.joinPath, this.imageFolder),
		};
		view.webview.html = renderChatHtml(view.webview, this.extensionUri, vscode.Uri.joinPath);
		const subscriptions = [
			view.webview.onDidReceiveMessage((message: FromWebviewMessage.Type) => this.onMessage(message).catch(error => {
				this.log.error(`Chat panel: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
			})),
			view.onDidDispose(() => {
				if (this.view === view) {
					this.view = undefined;
					this.ready = false;
				}
				subscriptions.forEach(item => item.dispose());
			}),
		];
	}

	/** Sends a message to the panel; refused (false) when there is no ready panel or after dispose. */
	post(message: ToWebviewMessage.Type): boolean {
		if (this.disposed || !this.view || !this.ready) {
			return false;
		}
		void this.view.webview.postMessage(withErrorActions(message));
		return true;
	}

	/** A stored image copy as the panel can load it; undefined while there is no panel. */
	imageSrc(storedUri: string): string | undefined {
		return this.view?.webview.asWebviewUri(vscode.Uri.parse(storedUri)).toString();
	}

	/** The effort control and the "cannot chat" notice, after any runtime or setting change. */
	postStatus(): void {
		const remote = this.remote();
		this.post({ type: 'effort', effort: describeEffortControl(this.runtime.currentState, getReasoningEffort(), remote) });
		const problem = chatProblem(this.runtime.currentState, getSettings().chatModelPath ?? '', remote !== undefined);
		const actions = problem ? errorActions({ text: problem }) : [];
		this.post({ type: 'availability', ...(problem ? { problem } : {}), ...(actions.length > 0 ? { actions } : {}) });
	}

	private async onMessage(message: FromWebviewMessage.Type): Promise<void> {
		const session = this.session;
		switch (message.type) {
			case 'ready':
				this.ready = true;
				this.post(session.stateMessage());
				this.post({ type: 'editorContext', context: this.editorContext.view });
				this.postStatus();
				this.readyEmitter.fire();
				return;
			case 'send':
				await session.send(message);
				return;
			case 'stop':
				await session.stop();
				return;
			case 'newChat':
				await session.newChat();
				return;
			case 'showHistory':
				await session.pickChat();
				return;
			case 'setEffort':
				await setReasoningEffort(message.effort);
				return;
			case 'copy':
				await this.codeActions.copy(message.code);
				return;
			case 'insert':
				await this.codeActions.insert(message.code);
				return;
			case 'apply':
				await this.codeActions.apply(message.code);
				return;
			case 'openLink':
				await openLink(message.href);
				return;
			case 'pickMention': {
				const path = await this.editorContext.pickFile();
				if (path) {
					this.post({ type: 'mention', path });
				}
				return;
			}
			case 'runErrorAction':
				// The panel names an action, never a command: anything else is refused.
				if (isErrorAction(message.action)) {
					await this.errorRunner.run(message.action);
				} else {
					this.log.warn(`Chat panel sent an unknown error action: ${JSON.stringify(message.action)}`);
				}
				return;
			default:
				void (message satisfies never);
				this.log.warn(`Chat panel sent an unknown message: ${JSON.stringify(message)}`);
		}
	}

	/** Reveals the panel and resolves once it is ready (it may have to load first). */
	async reveal(): Promise<void> {
		const ready = this.ready ? Promise.resolve() : new Promise<void>(resolve => {
			const once = this.onDidBecomeReady(() => {
				once.dispose();
				resolve();
			});
		});
		await vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
		await ready;
	}

	dispose(): void {
		this.disposed = true;
		this.view = undefined;
		this.toDispose.forEach(item => item.dispose());
	}
}

/** Turns with an error get its buttons as they are posted; the saved chat keeps only the words. */
function withErrorActions(message: ToWebviewMessage.Type): ToWebviewMessage.Type {
	switch (message.type) {
		case 'state':
			return { ...message, chat: { ...message.chat, turns: message.chat.turns.map(withTurnActions) } };
		case 'turnStarted':
		case 'turnFinished':
			return { ...message, turn: withTurnActions(message.turn) };
		default:
			return message;
	}
}

function withTurnActions(turn: TurnView): TurnView {
	const actions = turn.error ? errorActions({ text: turn.error }) : [];
	return actions.length > 0 ? { ...turn, errorActions: actions } : turn;
}

/** Only http(s) links leave the panel, and only through the editor's own opener. */
async function openLink(href: string): Promise<void> {
	let uri: vscode.Uri;
	try {
		uri = vscode.Uri.parse(href, true);
	} catch {
		return;
	}
	if (uri.scheme === 'http' || uri.scheme === 'https') {
		await vscode.env.openExternal(uri);
	}
}
