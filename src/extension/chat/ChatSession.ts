import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { ChatChunk } from '../../lsp/protocol';
import type { RuntimeClient } from '../RuntimeClient';
import { getReasoningEffort, getSettings } from '../settings';
import { chatProblem, describeChatError } from './chatAvailability';
import { ChatHistory, historyForModel, toChatView, type StoredTurn } from './ChatHistory';
import { describeEffortControl, effectiveEffort } from './effortControl';
import type { EditorContext } from './EditorContext';
import { formatMessage } from './formatMessage';
import type { FromWebviewMessage, ToWebviewMessage } from './webviewMessages';

const interrupted = 'The answer was interrupted: the window closed or reloaded while Bora was answering.';

interface Generation {
	readonly id: number;
	readonly cancel: vscode.CancellationTokenSource;
	turn: StoredTurn;
}

/**
 * One workspace's chat: the history, the answer being streamed and the Stop button. It talks to the
 * panel only through `post`, so it works the same whether the panel is visible, hidden or reloaded.
 */
export class ChatSession implements vscode.Disposable {
	private generation: Generation | undefined;
	private nextGeneration = 0;
	private readonly busyEmitter = new vscode.EventEmitter<boolean>();
	/** Fires true when an answer starts streaming and false when it ends (answered, failed or stopped). */
	readonly onDidChangeBusy = this.busyEmitter.event;

	constructor(
		private readonly runtime: RuntimeClient,
		private readonly history: ChatHistory,
		private readonly editorContext: EditorContext,
		private readonly post: (message: ToWebviewMessage.Type) => void,
	) { }

	get busy(): boolean {
		return this.generation !== undefined;
	}

	get chats(): ChatHistory {
		return this.history;
	}

	stateMessage(notice?: string): ToWebviewMessage.State {
		const chat = toChatView(this.history.current);
		// The stored copy of a streaming turn carries an "interrupted" note for crashes; show the live one.
		const turns = this.generation ? [...chat.turns.slice(0, -1), toView(this.generation.turn)] : chat.turns;
		return { type: 'state', chat: { ...chat, turns }, busy: this.busy, ...(notice ? { notice } : {}) };
	}

	/** Sends a message and streams the answer into the panel; resolves when the turn is final. */
	async send({ text, includeFile, includeSelection, mentions }: Omit<FromWebviewMessage.Send, 'type'>): Promise<StoredTurn | undefined> {
		if (this.generation || text.trim() === '') {
			return undefined;
		}
		const attachments = await this.editorContext.attachments({ includeFile, includeSelection, mentions });
		const chat = this.history.current;
		const modelHistory = historyForModel(chat);
		const message = formatMessage(text, attachments);
		const control = describeEffortControl(this.runtime.currentState, getReasoningEffort());
		const generation: Generation = {
			id: ++this.nextGeneration,
			cancel: new vscode.CancellationTokenSource(),
			turn: { user: text, message, attachments: attachments.map(a => a.label), thought: '', answer: '', thoughtTokens: 0 },
		};
		const problem = chatProblem(this.runtime.currentState, getSettings().chatModelPath ?? '');
		if (problem) {
			const failed = { ...generation.turn, error: problem };
			await this.history.putTurn(failed);
			this.post({ type: 'turnStarted', turn: toView(failed) });
			this.post({ type: 'turnFinished', turn: toView(failed) });
			return failed;
		}
		this.generation = generation;
		this.busyEmitter.fire(true);
		// Saved before the first token with an "interrupted" note, replaced when the answer is final.
		await this.history.putTurn({ ...generation.turn, error: interrupted });
		this.post({ type: 'turnStarted', turn: toView(generation.turn) });
		const onChunk = (chunk: ChatChunk) => {
			if (this.generation?.id !== generation.id) {
				return;
			}
			const turn = generation.turn;
			generation.turn = {
				...turn,
				thought: chunk.kind === 'thought' ? turn.thought + chunk.text : turn.thought,
				answer: chunk.kind === 'answer' ? turn.answer + chunk.text : turn.answer,
				thoughtTokens: chunk.thoughtTokens,
				...(chunk.thoughtBudget !== undefined ? { thoughtBudget: chunk.thoughtBudget } : {}),
			};
			this.post({ type: 'chunk', kind: chunk.kind, text: chunk.text, thoughtTokens: chunk.thoughtTokens, ...(chunk.thoughtBudget !== undefined ? { thoughtBudget: chunk.thoughtBudget } : {}) });
		};
		const chatId = `${chat.id}/${randomUUID()}`;
		let final: StoredTurn;
		try {
			const result = await this.runtime.chat({ chatId, history: modelHistory, message, effort: effectiveEffort(control) }, onChunk, generation.cancel.token);
			final = {
				...generation.turn, answer: result.answer, thought: result.thought, thoughtTokens: result.thoughtTokens,
				...(result.thoughtBudget !== undefined ? { thoughtBudget: result.thoughtBudget } : {}),
			};
		} catch (error) {
			const described = generation.cancel.token.isCancellationRequested ? 'cancelled' : describeChatError(error);
			final = described === 'cancelled' ? { ...generation.turn, stopped: true } : { ...generation.turn, error: described };
		}
		// Stop already finished this turn in the panel; a late result changes nothing.
		if (this.generation?.id === generation.id) {
			await this.finish(generation, final);
		}
		return final;
	}

	/** Ends the answer at once: the panel keeps what came so far, and the runtime gets $/cancelRequest. */
	async stop(): Promise<void> {
		const generation = this.generation;
		if (!generation) {
			return;
		}
		generation.cancel.cancel();
		await this.finish(generation, { ...generation.turn, stopped: true });
	}

	async newChat(): Promise<void> {
		await this.stop();
		await this.history.startNew();
		this.post(this.stateMessage());
	}

	/** The history picker: reopens an old chat of this workspace. */
	async pickChat(): Promise<void> {
		const chats = this.history.all;
		if (chats.length === 0) {
			void vscode.window.showInformationMessage('No earlier Bora chats in this workspace yet.');
			return;
		}
		const items = chats.map(chat => ({
			label: chat.title,
			description: `${chat.turns.length} message${chat.turns.length === 1 ? '' : 's'}`,
			detail: new Date(chat.updatedAt).toLocaleString(),
			id: chat.id,
		}));
		const picked = await vscode.window.showQuickPick(items, { title: 'Bora chats in this workspace', placeHolder: 'Reopen a chat' });
		if (picked) {
			await this.stop();
			await this.history.open(picked.id);
			this.post(this.stateMessage());
		}
	}

	private async finish(generation: Generation, turn: StoredTurn): Promise<void> {
		this.generation = undefined;
		generation.cancel.dispose();
		this.post({ type: 'turnFinished', turn: toView(turn) });
		this.busyEmitter.fire(false);
		await this.history.putTurn(turn, { replaceLast: true });
	}

	dispose(): void {
		this.generation?.cancel.cancel();
		this.busyEmitter.dispose();
	}
}

function toView({ message: _message, ...view }: StoredTurn): ToWebviewMessage.TurnFinished['turn'] {
	return view;
}
