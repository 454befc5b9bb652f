/*
 * The chat webview's messages, declared once and imported by both the extension host
 * (src/extension/chat) and the webview bundle (media/chat). Types only: no VS Code or DOM imports.
 */
import type { AnswerChunk } from './chatChunks';
import type { ReasoningEffort } from './protocol';

export type { ReasoningEffort };

/** The image a turn asked about, as its thumbnail shows it. */
export interface ImageView {
	/** A webview resource URI of the stored copy (or a `data:` URI); loadable under the panel's CSP. */
	readonly src: string;
	readonly name: string;
	/** e.g. `64×48 · 16 / 1024 image tokens`, once answered. */
	readonly detail?: string;
}

/** An image pasted or dropped into the input, sent with the message. */
export interface PastedImage {
	readonly name: string;
	readonly mime: string;
	readonly base64: string;
}

/** One exchange as the panel shows it. */
export interface TurnView {
	/** What the user typed (context attachments are listed in `attachments`, not repeated here). */
	readonly user: string;
	/** Names of the context sent with the message (files, selection). */
	readonly attachments: readonly string[];
	readonly thought: string;
	readonly answer: string;
	readonly thoughtTokens: number;
	readonly thoughtBudget?: number;
	/** Why the answer is missing or incomplete, in words for the user. */
	readonly error?: string;
	/** The user pressed Stop; `answer` holds what came before. */
	readonly stopped?: boolean;
	/** The image this turn asked about. */
	readonly image?: ImageView;
	/**
	 * What the runtime said about this answer (effort ignored, no answer written), shown as plain text
	 * under it. Saved with the turn.
	 */
	readonly notice?: string;
	/** Buttons for {@link error}; added by the host as it posts the turn, never saved. */
	readonly errorActions?: readonly ErrorActionButton[];
}

export interface ChatView {
	readonly id: string;
	readonly title: string;
	readonly turns: readonly TurnView[];
}

export interface EffortLevelView {
	readonly value: ReasoningEffort;
	readonly label: string;
	/** What the level means, for its tooltip (e.g. what High allows on a small context); absent for none. */
	readonly description?: string;
	/** Why this level cannot be picked; absent when it can. */
	readonly disabledReason?: string;
}

/** The reasoning-effort control, as the header select, the status bar and the command show it. */
export interface EffortControlView {
	readonly value: ReasoningEffort;
	readonly levels: readonly EffortLevelView[];
	/** Why the whole control is disabled (no model, model without reasoning); absent when enabled. */
	readonly disabledReason?: string;
	/** The model that answers chat, named in the control's tooltip. */
	readonly model?: string;
	/** A short fact shown beside the control, e.g. that a remote server, not Bora, sets the thought budget; absent for none. */
	readonly note?: string;
}

/**
 * A button beside an error that does what the error asks; src/extension/errorActions.ts derives
 * them from the error, and the host validates one the panel sends back before running it.
 */
export type ErrorAction =
	/** "Select Model…": `bora.selectModel`, which writes `bora.modelPath`. */
	| { readonly kind: 'selectModel' }
	/** "Pick Projector…" and the like: a file picker that writes this path setting. */
	| { readonly kind: 'pickPath'; readonly setting: 'chatModelPath' | 'mmprojPath' | 'draftModelPath' }
	/** "Open Settings" at this setting (the Remote tab for a machine setting in a remote window). */
	| { readonly kind: 'openSettings'; readonly settingId: string }
	| { readonly kind: 'restartRuntime' }
	| { readonly kind: 'showLog' }
	/** "Set Remote API Key…": a 401/403 from the remote engine. */
	| { readonly kind: 'setRemoteApiKey' }
	/** "Test Remote Engine": every role tried once, with what works and what failed. */
	| { readonly kind: 'testRemoteEngine' };

export interface ErrorActionButton {
	readonly label: string;
	readonly action: ErrorAction;
}

/** The editor context the panel offers as chips. */
export interface EditorContextView {
	/** e.g. `add.js` */
	readonly file?: string;
	/** e.g. `add.js:3-7`; absent when the selection is empty. */
	readonly selection?: string;
}

export namespace ToWebviewMessage {
	/**
	 * Everything the panel shows; sent after `ready`, whenever the chat changes as a whole, and in
	 * answer to a `send` that started no turn (the panel then keeps that message in its input).
	 * `busy`: the last turn is streaming.
	 */
	export interface State { readonly type: 'state'; readonly chat: ChatView; readonly busy: boolean; readonly notice?: string }
	/** A new turn started streaming (the last turn of the chat); `sendId` when it answers the panel's `send`. */
	export interface TurnStarted { readonly type: 'turnStarted'; readonly turn: TurnView; readonly sendId?: number }
	/** A streamed piece of the last turn; the panel folds it in with `foldChunk` (src/shared/chatChunks.ts), as the host does. */
	export interface Chunk extends AnswerChunk { readonly type: 'chunk' }
	/** The last turn is complete (or failed or stopped); `turn` is its final form. */
	export interface TurnFinished { readonly type: 'turnFinished'; readonly turn: TurnView }
	export interface Effort { readonly type: 'effort'; readonly effort: EffortControlView }
	export interface EditorContext { readonly type: 'editorContext'; readonly context: EditorContextView }
	/** A file the user picked after typing `@`. */
	export interface Mention { readonly type: 'mention'; readonly path: string }
	/** The runtime cannot chat right now, and why; absent message clears it. */
	export interface Availability { readonly type: 'availability'; readonly problem?: string; readonly actions?: readonly ErrorActionButton[] }
	/** "Explain Image from Clipboard": read an image from the clipboard into the input, or say why not. */
	export interface PasteFromClipboard { readonly type: 'pasteFromClipboard' }

	export type Type = State | TurnStarted | Chunk | TurnFinished | Effort | EditorContext | Mention | Availability | PasteFromClipboard;
}

export namespace FromWebviewMessage {
	export interface Ready { readonly type: 'ready' }
	export interface Send {
		readonly type: 'send'; readonly text: string;
		readonly includeFile: boolean; readonly includeSelection: boolean; readonly mentions: readonly string[];
		/** An image pasted or dropped into the input; the text may then be empty (a default question is asked). */
		readonly image?: PastedImage;
		/** Chosen by the panel; the `turnStarted` of this message carries it back. */
		readonly sendId?: number;
	}
	export interface Stop { readonly type: 'stop' }
	export interface NewChat { readonly type: 'newChat' }
	export interface ShowHistory { readonly type: 'showHistory' }
	export interface SetEffort { readonly type: 'setEffort'; readonly effort: ReasoningEffort }
	export interface Copy { readonly type: 'copy'; readonly code: string }
	export interface Insert { readonly type: 'insert'; readonly code: string }
	export interface Apply { readonly type: 'apply'; readonly code: string }
	export interface OpenLink { readonly type: 'openLink'; readonly href: string }
	/** The user typed `@`: the host shows a file picker and answers with a `mention`. */
	export interface PickMention { readonly type: 'pickMention' }
	/** The user clicked an error's button; the host checks `action` before running it. */
	export interface RunErrorAction { readonly type: 'runErrorAction'; readonly action: ErrorAction }

	export type Type = Ready | Send | Stop | NewChat | ShowHistory | SetEffort | Copy | Insert | Apply | OpenLink | PickMention | RunErrorAction;
}
