import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { ChatCommandIds } from '../commandIds';
import type { ErrorActionRunner } from '../ErrorActionRunner';
import type { RemoteEngineWatch } from '../remote/RemoteEngineWatch';
import type { RuntimeClient } from '../RuntimeClient';
import { affectsReasoningEffort, getReasoningEffort, SettingIds } from '../settings';
import { ChatHistory } from './ChatHistory';
import { ChatSession } from './ChatSession';
import type { ChatStreamRouter } from './ChatStreamRouter';
import { ChatViewProvider } from './ChatViewProvider';
import { CodeActions } from './CodeActions';
import { describeEffortControl } from './effortControl';
import { EditorContext } from './EditorContext';
import { EffortStatusItem } from './EffortStatusItem';
import { registerImageCommands } from './imageCommands';
import { ImageStore } from './ImageStore';
import { pickReasoningEffort } from './pickReasoningEffort';
import { registerSelectionCommands } from './selectionCommands';

/** What the chat exposes through Bora's API (the e2e suites drive a chat with it). */
export interface ChatApi {
	readonly session: Pick<ChatSession, 'send' | 'newChat'>;
	/** The workspace's chats; read by the e2e suites to check what survives a runtime crash. */
	readonly history: Pick<ChatHistory, 'current'>;
}

/** Wires the chat panel, its commands and the reasoning-effort controls; everything lands in `context.subscriptions`. */
export function registerChat(context: vscode.ExtensionContext, runtime: RuntimeClient, streams: ChatStreamRouter, log: vscode.LogOutputChannel, errorActions: ErrorActionRunner, remoteEngine: RemoteEngineWatch): ChatApi {
	const remote = () => remoteEngine.current;
	const editorContext = new EditorContext();
	const codeActions = new CodeActions();
	const history = new ChatHistory(context.workspaceState, randomUUID);
	const images = new ImageStore(context.globalStorageUri);
	let view: ChatViewProvider | undefined;
	const session = new ChatSession(runtime, streams, history, editorContext, message => view?.post(message) ?? false, images, uri => view?.imageSrc(uri), remote);
	view = new ChatViewProvider(context.extensionUri, runtime, editorContext, codeActions, log, session, errorActions, images.folder, remote);
	const effortItem = new EffortStatusItem();
	const effortControl = () => describeEffortControl(runtime.currentState, getReasoningEffort(), remote());
	const refreshEffort = () => {
		effortItem.update(effortControl());
		view?.postStatus();
	};

	context.subscriptions.push(
		editorContext, codeActions, session, view, effortItem,
		vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, view),
		runtime.onDidChangeState(() => effortItem.update(effortControl())),
		// The server's kind decides whether the effort control says the thought budget is the server's.
		remoteEngine.onDidChange(refreshEffort),
		vscode.workspace.onDidChangeConfiguration(event => {
			if (affectsReasoningEffort(event) || event.affectsConfiguration(SettingIds.chatModelPath)) {
				refreshEffort();
			}
		}),
		vscode.commands.registerCommand(ChatCommandIds.openChat, () => view?.reveal()),
		vscode.commands.registerCommand(ChatCommandIds.newChat, async () => {
			await view?.reveal();
			await session.newChat();
		}),
		vscode.commands.registerCommand(ChatCommandIds.showChatHistory, async () => {
			await session.pickChat();
			await view?.reveal();
		}),
		vscode.commands.registerCommand(ChatCommandIds.setReasoningEffort, (level?: unknown) => pickReasoningEffort(effortControl(), level)),
		...registerImageCommands(view, session, images),
		...registerSelectionCommands(view, session),
	);
	refreshEffort();
	return { session, history };
}
