import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { answerChunk, foldChunk } from '../../shared/chatChunks';
import type { ChatChunk, ChatResult } from '../../shared/protocol';
import type { RemoteView } from '../remote/describeRemote';
import type { RuntimeClient } from '../RuntimeClient';
import { getReasoningEffort, getSettings } from '../settings';
import { chatProblem, describeChatError } from './chatAvailability';
import { ChatHistory, historyForModel, toChatView, toTurnView, type ImageSrc, type StoredTurn } from './ChatHistory';
import type { ChatStreamRouter } from './ChatStreamRouter';
import { describeEffortControl, effectiveEffort } from './effortControl';
import type { EditorContext } from './EditorContext';
import { formatMessage, type Attachment } from './formatMessage';
import { defaultImageQuestion, describeImageUsage } from './imageFiles';
import type { ImageStore, StoreResult } from './ImageStore';
import type { FromWebviewMessage, ToWebviewMessage, TurnView } from '../../shared/webviewMessages';

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
	/** A sent message whose context is being read; Stop sets `stopped` so it never starts. */
	private starting: { stopped: boolean } | undefined;

	constructor(
		private readonly runtime: RuntimeClient,
		private readonly streams: ChatStreamRouter,
		private readonly history: ChatHistory,
		private readonly editorContext: EditorContext,
		private readonly post: (message: ToWebviewMessage.Type) => void,
		private readonly images: ImageStore,
		private readonly imageSrc: ImageSrc,
		/** The remote engine while `bora.engine` is remote: chat then needs no local model. */
		private readonly remote: () => RemoteView | undefined = () => undefined,
	) { }

	/** An answer streams, or a sent message is being prepared (context read, image stored). */
	get busy(): boolean {
		return this.generation !== undefined || this.starting !== undefined;
	}

	stateMessage(notice?: string): ToWebviewMessage.State {
		const chat = toChatView(this.history.current, this.imageSrc);
		// The stored copy of a streaming turn carries an "interrupted" note for crashes; show the live one.
		const turns = this.generation ? [...chat.turns.slice(0, -1), this.toView(this.generation.turn)] : chat.turns;
		// Busy means the last turn streams: a message still being prepared has no turn in the panel yet.
		return { type: 'state', chat: { ...chat, turns }, busy: this.generation !== undefined, ...(notice ? { notice } : {}) };
	}

	/**
	 * Sends a message (with any pasted image) and streams the answer into the panel; resolves when the
	 * turn is final. A message that does not start a turn (busy, empty, or stopped while its context
	 * was read) gets a fresh state instead, so the panel keeps it in its input: nothing typed is lost.
	 */
	async send({ text, includeFile, includeSelection, mentions, image, sendId }: Omit<FromWebviewMessage.Send, 'type'>): Promise<StoredTurn | undefined> {
		if (this.busy || (text.trim() === '' && !image)) {
			this.post(this.stateMessage());
			return undefined;
		}
		// Busy from here: reading the context and storing the image take a while, and a second send must wait.
		const starting = { stopped: false };
		this.starting = starting;
		let prepared: { attachments: Attachment[]; stored?: StoreResult };
		try {
			const attachments = await this.editorContext.attachments({ includeFile, includeSelection, mentions });
			prepared = { attachments, ...(image ? { stored: await this.images.storeBytes(Buffer.from(image.base64, 'base64'), image.name) } : {}) };
		} catch (error) {
			this.starting = undefined;
			const problem = `Bora could not prepare this message: ${error instanceof Error ? error.message : String(error)}. Send it again.`;
			const user = text.trim() === '' && image ? defaultImageQuestion : text;
			return this.fail({ user, message: user, attachments: [], thought: '', answer: '', thoughtTokens: 0, error: problem }, sendId);
		} finally {
			if (this.starting === starting) {
				this.starting = undefined;
			}
		}
		if (starting.stopped) {
			this.post(this.stateMessage());
			return undefined;
		}
		const { attachments, stored } = prepared;
		if (stored) {
			return this.explainImage(stored, text, attachments, sendId);
		}
		const chat = this.history.current;
		const modelHistory = historyForModel(chat);
		const message = formatMessage(text, attachments);
		const control = describeEffortControl(this.runtime.currentState, getReasoningEffort(), this.remote());
		const turn: StoredTurn = { user: text, message, attachments: attachments.map(a => a.label), thought: '', answer: '', thoughtTokens: 0 };
		return this.stream(turn, sendId, async (chatId, onChunk, token) => {
			const result = await this.streams.chat({ chatId, history: modelHistory, message, effort: effectiveEffort(control) }, onChunk, token);
			return {
				...turnOf(result),
				...(result.thoughtBudget !== undefined ? { thoughtBudget: result.thoughtBudget } : {}),
			};
		});
	}

	/**
	 * Asks about an image (already stored, or the reason it could not be) and streams the answer like a
	 * chat message. An empty question asks the model to explain the screenshot.
	 */
	async explainImage(stored: StoreResult, question: string, attachments: readonly Attachment[] = [], sendId?: number): Promise<StoredTurn | undefined> {
		if (this.busy) {
			if (sendId !== undefined) {
				this.post(this.stateMessage());
			}
			return undefined;
		}
		const asked = question.trim() === '' ? defaultImageQuestion : question;
		const message = formatMessage(asked, attachments);
		const base = { user: asked, message, attachments: attachments.map(a => a.label), thought: '', answer: '', thoughtTokens: 0 };
		if ('problem' in stored) {
			return this.fail({ ...base, error: stored.problem }, sendId);
		}
		const image = stored.image;
		const modelHistory = historyForModel(this.history.current);
		return this.stream({ ...base, image }, sendId, async (chatId, onChunk, token) => {
			const source = await this.images.source(image);
			const result = await this.streams.explainImage({ chatId, ...source, question: message, history: modelHistory }, onChunk, token);
			const detail = describeImageUsage(result);
			return { ...turnOf(result), image: detail ? { ...image, detail } : image };
		});
	}

	/** Streams one answer into the last turn of the panel, with Stop, saving it before the first token. */
	private async stream(
		turn: StoredTurn,
		sendId: number | undefined,
		request: (chatId: string, onChunk: (chunk: ChatChunk) => void, token: vscode.CancellationToken) => Promise<Partial<StoredTurn>>,
	): Promise<StoredTurn> {
		const problem = chatProblem(this.runtime.currentState, getSettings().chatModelPath ?? '', this.remote() !== undefined);
		if (problem) {
			return this.fail({ ...turn, error: problem }, sendId);
		}
		const chat = this.history.current;
		const generation: Generation = { id: ++this.nextGeneration, cancel: new vscode.CancellationTokenSource(), turn };
		this.generation = generation;
		// Saved before the first token with an "interrupted" note, replaced when the answer is final.
		const saving = this.history.putTurn({ ...generation.turn, error: interrupted });
		// Posted before the save settles: a state or a Stop in that wait must find the turn already in the panel.
		this.post({ type: 'turnStarted', turn: this.toView(generation.turn), ...(sendId !== undefined ? { sendId } : {}) });
		await saving;
		const onChunk = (chunk: ChatChunk) => {
			if (this.generation?.id !== generation.id) {
				return;
			}
			generation.turn = foldChunk(generation.turn, chunk);
			this.post({ type: 'chunk', ...answerChunk(chunk) });
		};
		const chatId = `${chat.id}/${randomUUID()}`;
		let final: StoredTurn;
		try {
			final = { ...generation.turn, ...await request(chatId, onChunk, generation.cancel.token) };
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

	/** A turn that cannot be sent: shown with its reason and kept in the history. */
	private async fail(turn: StoredTurn, sendId?: number): Promise<StoredTurn> {
		const saving = this.history.putTurn(turn);
		this.post({ type: 'turnStarted', turn: this.toView(turn), ...(sendId !== undefined ? { sendId } : {}) });
		this.post({ type: 'turnFinished', turn: this.toView(turn) });
		await saving;
		return turn;
	}

	/** Ends the answer at once: the panel keeps what came so far, and the runtime gets $/cancelRequest. */
	async stop(): Promise<void> {
		if (this.starting) {
			// Its context is still being read: it will not start, and the panel keeps the draft.
			this.starting.stopped = true;
		}
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
		this.post({ type: 'turnFinished', turn: this.toView(turn) });
		await this.history.putTurn(turn, { replaceLast: true });
	}

	private toView(turn: StoredTurn): TurnView {
		return toTurnView(turn, this.imageSrc);
	}

	dispose(): void {
		this.generation?.cancel.cancel();
	}
}

/** The answer fields of a finished request. */
function turnOf(result: ChatResult): Pick<StoredTurn, 'answer' | 'thought' | 'thoughtTokens' | 'notice'> {
	return { answer: result.answer, thought: result.thought, thoughtTokens: result.thoughtTokens, ...(result.notice ? { notice: result.notice } : {}) };
}
