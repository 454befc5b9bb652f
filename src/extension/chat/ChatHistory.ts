import type { ChatTurn } from '../../shared/protocol';
import type { StoredImage } from './ImageStore';
import type { ChatView, TurnView } from '../../shared/webviewMessages';

/**
 * A turn as stored: what the panel shows plus the full message (with context) the model saw, and
 * the stored copy of its image (the panel gets a loadable URI for it, see {@link toTurnView}).
 */
export interface StoredTurn extends Omit<TurnView, 'image'> {
	readonly message: string;
	readonly image?: StoredImage;
}

/** Maps a stored image copy's URI to something the panel can load; `undefined` hides the thumbnail. */
export type ImageSrc = (storedUri: string) => string | undefined;

export interface StoredChat {
	readonly id: string;
	readonly title: string;
	readonly createdAt: number;
	readonly updatedAt: number;
	readonly turns: readonly StoredTurn[];
}

/** The part of `vscode.Memento` the history needs (context.workspaceState in the extension). */
export interface HistoryStore {
	get<T>(key: string): T | undefined;
	update(key: string, value: unknown): Thenable<void>;
}

interface StoredHistory {
	readonly version: 1;
	readonly currentId?: string;
	readonly chats: readonly StoredChat[];
}

const storageKey = 'bora.chat.history';
const maxChats = 100;

/**
 * The chats of one workspace. Lives in the extension host and is saved after every change, so a
 * window reload or a runtime crash never loses a message.
 */
export class ChatHistory {
	private chats: StoredChat[];
	private currentId: string | undefined;
	/** The open chat while it has no turn yet (not saved). */
	private draft: StoredChat | undefined;

	constructor(private readonly store: HistoryStore, private readonly newId: () => string) {
		const saved = store.get<StoredHistory>(storageKey);
		this.chats = saved?.version === 1 && Array.isArray(saved.chats) ? [...saved.chats] : [];
		this.currentId = saved?.currentId;
	}

	/** The open chat; an empty one when there is none. */
	get current(): StoredChat {
		const found = this.chats.find(chat => chat.id === this.currentId);
		if (found) {
			return found;
		}
		if (this.draft?.id !== this.currentId || !this.draft) {
			this.draft = emptyChat(this.newId());
			this.currentId = this.draft.id;
		}
		return this.draft;
	}

	/** Chats with at least one turn, newest first. */
	get all(): readonly StoredChat[] {
		return [...this.chats].sort((a, b) => b.updatedAt - a.updatedAt);
	}

	/** Starts a new empty chat (saved once it has a turn). */
	async startNew(): Promise<StoredChat> {
		this.draft = emptyChat(this.newId());
		this.currentId = this.draft.id;
		await this.save();
		return this.draft;
	}

	async open(id: string): Promise<StoredChat | undefined> {
		if (!this.chats.some(chat => chat.id === id)) {
			return undefined;
		}
		this.currentId = id;
		await this.save();
		return this.current;
	}

	/**
	 * Appends a turn to the current chat, or replaces its last turn when `replaceLast`. The chat in
	 * memory changes at once, before the save settles, so what the panel is sent meanwhile agrees with it.
	 */
	async putTurn(turn: StoredTurn, { replaceLast = false }: { replaceLast?: boolean } = {}): Promise<void> {
		const chat = this.current;
		const turns = replaceLast ? [...chat.turns.slice(0, -1), turn] : [...chat.turns, turn];
		const title = chat.turns.length === 0 && !replaceLast ? titleFrom(turn.user) : chat.title;
		const updated: StoredChat = { ...chat, title, turns, updatedAt: Date.now() };
		this.chats = [updated, ...this.chats.filter(other => other.id !== chat.id)].slice(0, maxChats);
		await this.save();
	}

	private save(): Thenable<void> {
		return this.store.update(storageKey, { version: 1, currentId: this.currentId, chats: this.chats } satisfies StoredHistory);
	}
}

/** The earlier turns the model gets with a new message: failed turns are left out. */
export function historyForModel(chat: StoredChat): ChatTurn[] {
	return chat.turns
		.filter(turn => !turn.error || turn.answer !== '')
		.map(turn => turn.thought ? { user: turn.message, assistant: turn.answer, thought: turn.thought } : { user: turn.message, assistant: turn.answer });
}

export function toChatView(chat: StoredChat, imageSrc: ImageSrc = () => undefined): ChatView {
	return { id: chat.id, title: chat.title, turns: chat.turns.map(turn => toTurnView(turn, imageSrc)) };
}

/** What the panel shows of a stored turn: no model message, and the image as a loadable thumbnail. */
export function toTurnView({ message: _message, image, ...view }: StoredTurn, imageSrc: ImageSrc = () => undefined): TurnView {
	const src = image ? imageSrc(image.uri) : undefined;
	return image && src !== undefined ? { ...view, image: { src, name: image.name, ...(image.detail ? { detail: image.detail } : {}) } } : view;
}

function emptyChat(id: string): StoredChat {
	const now = Date.now();
	return { id, title: 'New chat', createdAt: now, updatedAt: now, turns: [] };
}

function titleFrom(text: string): string {
	const line = text.trim().split('\n')[0] ?? '';
	return line.length > 60 ? `${line.slice(0, 59)}…` : line || 'New chat';
}
