/*
 * The chat webview. It renders what the extension host sends and reports what the user does; the
 * host owns the history, the requests and the settings. Every message type is in
 * src/shared/webviewMessages.ts, and a streamed chunk folds into its turn as in the host (src/shared/chatChunks.ts).
 */
import { foldChunk } from '../../src/shared/chatChunks';
import type { EditorContextView, EffortControlView, FromWebviewMessage, ReasoningEffort, ToWebviewMessage, TurnView } from '../../src/shared/webviewMessages';
import { describeContextChip } from './contextChip';
import { byId, element } from './dom';
import { clickedErrorAction, errorButtons } from './errorButtons';
import { insertMention, removeMention } from './mentionText';
import { PendingImage } from './PendingImage';
import { isAllowedLink, renderMarkdown } from './renderMarkdown';
import { SendTracker } from './SendTracker';
import { TurnElement } from './TurnElement';

interface VsCodeApi {
	postMessage(message: FromWebviewMessage.Type): void;
	getState(): unknown;
	setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: FromWebviewMessage.Type) => vscode.postMessage(message);

byId('app').replaceWith(buildLayout());
const title = byId('chat-title');
const effortSelect = byId<HTMLSelectElement>('effort');
const effortReason = byId('effort-reason');
const effortNote = byId('effort-note');
const notice = byId('notice');
const list = byId('messages');
const empty = byId('empty');
const chips = byId('chips');
const input = byId<HTMLTextAreaElement>('input');
const sendButton = byId<HTMLButtonElement>('send');
const pendingImage = new PendingImage(byId('image-chip'), byId('image-hint'), () => input.focus());
const stopButton = byId<HTMLButtonElement>('stop');

let turns: TurnElement[] = [];
const sending = new SendTracker();
let editorContext: EditorContextView = {};
let includeFile = false;
let includeSelection = true;
let mentions: string[] = [];
/** Where the user typed the `@` that opened the file picker; the pick replaces it. */
let mentionAt: number | undefined;
let pendingRender: number | undefined;
/** The turn the next frame paints: always the latest one, even if the list was redrawn meanwhile. */
let renderTarget: TurnElement | undefined;

const saved = vscode.getState() as { draft?: string } | undefined;
input.value = saved?.draft ?? '';

function buildLayout(): HTMLElement {
	const effort = element('select', { attrs: { id: 'effort', 'aria-label': 'Reasoning effort', 'aria-describedby': 'effort-reason' } });
	return element('div', { className: 'chat', attrs: { id: 'chat' } },
		element('header', { className: 'header' },
			element('h2', { className: 'title', text: 'New chat', attrs: { id: 'chat-title' } }),
			element('label', { className: 'effort-label', text: 'Reasoning', attrs: { for: 'effort' } }),
			effort,
			element('span', { className: 'effort-note', attrs: { id: 'effort-note', hidden: '' } }),
			element('span', { className: 'visually-hidden', attrs: { id: 'effort-reason' } }),
			element('button', { text: 'History', attrs: { id: 'history', type: 'button', title: 'Reopen an earlier chat of this workspace', 'aria-label': 'Chat history' } }),
			element('button', { text: 'New', attrs: { id: 'new', type: 'button', title: 'Start a new chat', 'aria-label': 'New chat' } }),
		),
		element('div', { className: 'notice', attrs: { id: 'notice', role: 'status' } }),
		element('main', { className: 'messages', attrs: { id: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': 'Chat messages', tabindex: '0' } },
			element('p', { className: 'empty', attrs: { id: 'empty' }, text: 'Ask Bora about your code. Enter sends, Shift+Enter adds a line, @ mentions a file.' })),
		element('footer', { className: 'composer' },
			element('div', { className: 'chips', attrs: { id: 'chips', role: 'group', 'aria-label': 'Context sent with the message' } }),
			element('div', { className: 'image-chip', attrs: { id: 'image-chip', hidden: '' } }),
			element('div', { className: 'image-hint', attrs: { id: 'image-hint', role: 'status', hidden: '' } }),
			element('textarea', { attrs: { id: 'input', rows: '3', 'aria-label': 'Message to Bora', placeholder: 'Ask Bora… (@ mentions a file, paste or drop an image)' } }),
			element('div', { className: 'composer-actions' },
				element('span', { className: 'hint', text: 'Enter to send · Shift+Enter for a new line' }),
				element('button', { text: 'Stop', className: 'stop', attrs: { id: 'stop', type: 'button', 'aria-label': 'Stop generating', hidden: '' } }),
				element('button', { text: 'Send', className: 'primary', attrs: { id: 'send', type: 'button', 'aria-label': 'Send message' } }),
			),
		),
	);
}

// ---- messages from the host ----

window.addEventListener('message', (event: MessageEvent<ToWebviewMessage.Type>) => {
	const message = event.data;
	switch (message.type) {
		case 'state':
			cancelRender();
			title.textContent = message.chat.title;
			turns.forEach(turn => turn.root.remove());
			turns = message.chat.turns.map((turn, index, all) => new TurnElement(turn, message.busy && index === all.length - 1));
			list.append(...turns.map(turn => turn.root));
			sending.state(message.busy);
			showBusy();
			scrollToEnd();
			return;
		case 'turnStarted': {
			const turn = new TurnElement(message.turn, true);
			turns.push(turn);
			list.append(turn.root);
			if (turns.length === 1) {
				title.textContent = firstLine(message.turn.user);
			}
			if (sending.turnStarted(message.sendId)) {
				clearDraft();
			}
			showBusy();
			scrollToEnd();
			return;
		}
		case 'chunk': {
			const last = turns.at(-1);
			if (!last) {
				return;
			}
			scheduleRender(last, foldChunk(last.view, message));
			return;
		}
		case 'turnFinished': {
			const last = turns.at(-1);
			cancelRender();
			last?.update(message.turn, false);
			sending.turnFinished();
			showBusy();
			scrollToEnd();
			return;
		}
		case 'effort':
			showEffort(message.effort);
			return;
		case 'editorContext':
			editorContext = message.context;
			renderChips();
			return;
		case 'mention': {
			if (!mentions.includes(message.path)) {
				mentions.push(message.path);
			}
			const edit = insertMention(input.value, mentionAt, input.selectionStart, message.path);
			mentionAt = undefined;
			input.value = edit.value;
			vscode.setState({ draft: input.value });
			renderChips();
			input.focus();
			input.setSelectionRange(edit.caret, edit.caret);
			return;
		}
		case 'availability':
			notice.hidden = !message.problem;
			notice.innerHTML = message.problem ? renderMarkdown(message.problem) : '';
			if (message.problem && message.actions && message.actions.length > 0) {
				notice.append(errorButtons(message.actions));
			}
			return;
		case 'pasteFromClipboard':
			void pendingImage.readClipboard();
			return;
		default:
			void (message satisfies never);
	}
});

/** Streams arrive faster than paint; coalesce to one markdown render per frame. */
function scheduleRender(turn: TurnElement, view: TurnView): void {
	turn.stage(view);
	renderTarget = turn;
	if (pendingRender === undefined) {
		pendingRender = requestAnimationFrame(() => {
			pendingRender = undefined;
			const target = renderTarget;
			renderTarget = undefined;
			const nearEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
			target?.render(true);
			if (nearEnd) {
				scrollToEnd();
			}
		});
	}
}

function cancelRender(): void {
	renderTarget = undefined;
	if (pendingRender !== undefined) {
		cancelAnimationFrame(pendingRender);
		pendingRender = undefined;
	}
}

/** Send and Stop follow {@link sending}: busy from the moment a message is sent until its turn ends. */
function showBusy(): void {
	const busy = sending.busy;
	stopButton.hidden = !busy;
	sendButton.disabled = busy;
	// Edits now would be cleared with the draft once the turn starts.
	input.readOnly = sending.awaitingTurn;
	empty.hidden = turns.length > 0;
	document.body.classList.toggle('busy', busy);
	if (!busy && document.activeElement === stopButton) {
		input.focus();
	}
}

function showEffort(effort: EffortControlView): void {
	effortSelect.replaceChildren(...effort.levels.map(level => {
		const option = element('option', { text: level.label, attrs: { value: level.value } });
		option.disabled = level.disabledReason !== undefined;
		option.title = level.description ? `${level.label}: ${level.description}` : '';
		if (level.disabledReason) {
			option.title = level.disabledReason;
			option.textContent = `${level.label} (unavailable)`;
		}
		return option;
	}));
	effortSelect.value = effort.value;
	effortSelect.disabled = effort.disabledReason !== undefined;
	const reason = effort.disabledReason ?? effort.levels.find(level => level.disabledReason)?.disabledReason ?? '';
	const answeredBy = effort.model ? ` Chat model: ${effort.model}.` : '';
	effortSelect.title = (effort.disabledReason ? `Reasoning effort unavailable: ${effort.disabledReason}` : reason ? `Reasoning effort. ${reason}` : `Reasoning effort: how long the model may think before answering. ${describeLevel(effort)}`) + answeredBy;
	effortReason.textContent = [effort.disabledReason ? `Unavailable: ${effort.disabledReason}` : reason, effort.note ?? ''].filter(Boolean).join(' ');
	// A remote server that bounds the thought itself: one short word beside the control, the sentence in its tooltip.
	effortNote.hidden = effort.note === undefined;
	effortNote.textContent = effort.note ? "server's budget" : '';
	effortNote.title = effort.note ?? '';
	if (effort.note) {
		effortSelect.title += ` ${effort.note}`;
	}
}

/** "High: the longest thought…" for the chosen level; empty when it has no description. */
function describeLevel(effort: EffortControlView): string {
	const level = effort.levels.find(candidate => candidate.value === effort.value);
	return level?.description ? `${level.label}: ${level.description}` : '';
}

function renderChips(): void {
	const items: HTMLElement[] = [];
	if (editorContext.selection) {
		items.push(toggleChip(`Selection ${editorContext.selection}`, includeSelection, value => includeSelection = value));
	}
	if (editorContext.file) {
		items.push(toggleChip(`File ${editorContext.file}`, includeFile, value => includeFile = value));
	}
	for (const path of mentions) {
		const remove = element('button', { className: 'chip mention', text: `@${path} ×`, attrs: { type: 'button', 'aria-label': `Remove mention of ${path}`, title: `${path} is sent with the message; click to remove` } });
		remove.addEventListener('click', () => {
			mentions = mentions.filter(other => other !== path);
			input.value = removeMention(input.value, path);
			vscode.setState({ draft: input.value });
			renderChips();
			input.focus();
		});
		items.push(remove);
	}
	chips.replaceChildren(...items);
	chips.hidden = items.length === 0;
}

function toggleChip(label: string, pressed: boolean, set: (value: boolean) => void): HTMLElement {
	const view = describeContextChip(label, pressed);
	const chip = element('button', { className: `chip context ${pressed ? 'included' : 'excluded'}`, attrs: { type: 'button', 'aria-pressed': String(pressed), title: view.title, 'aria-label': view.ariaLabel } },
		eyeIcon(view.icon), element('span', { className: 'chip-label', text: view.text }));
	chip.addEventListener('click', () => {
		set(!pressed);
		renderChips();
	});
	return chip;
}

/** The codicon-like eye drawn inline (the webview loads no icon font); decorative, the label says the state. */
function eyeIcon(icon: 'eye' | 'eye-closed'): SVGSVGElement {
	const svgNs = 'http://www.w3.org/2000/svg';
	const svg = document.createElementNS(svgNs, 'svg');
	svg.setAttribute('viewBox', '0 0 16 16');
	svg.setAttribute('class', `chip-icon ${icon}`);
	svg.setAttribute('aria-hidden', 'true');
	const paths = icon === 'eye'
		? ['M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8Z', 'M8 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4Z']
		: ['M1.5 6.5S4 10 8 10s6.5-3.5 6.5-3.5', 'M8 10v2.5M4.2 9l-1.4 2M11.8 9l1.4 2'];
	for (const d of paths) {
		const path = document.createElementNS(svgNs, 'path');
		path.setAttribute('d', d);
		svg.append(path);
	}
	return svg;
}

// ---- what the user does ----

function send(): void {
	const text = input.value;
	const image = pendingImage.current;
	if (sending.busy || (text.trim() === '' && !image)) {
		return;
	}
	// The draft stays until the host starts its turn: a message that does not start is not lost.
	post({
		type: 'send', text, includeFile: includeFile && !!editorContext.file, includeSelection: includeSelection && !!editorContext.selection, mentions,
		...(image ? { image } : {}), sendId: sending.sent(),
	});
	showBusy();
}

function clearDraft(): void {
	input.value = '';
	mentions = [];
	pendingImage.clear();
	renderChips();
	vscode.setState({ draft: '' });
}

input.addEventListener('keydown', event => {
	if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
		event.preventDefault();
		send();
	}
});
input.addEventListener('input', event => {
	vscode.setState({ draft: input.value });
	if ((event as InputEvent).data === '@') {
		mentionAt = input.selectionStart - 1;
		post({ type: 'pickMention' });
	}
});
// An image pasted into, or dropped on, the input becomes a chip sent with the next message.
input.addEventListener('paste', event => {
	if (pendingImage.takeFrom(event.clipboardData)) {
		event.preventDefault();
	}
});
const composer = input.closest('footer') ?? input;
composer.addEventListener('dragover', event => {
	if (event.dataTransfer?.types.includes('Files')) {
		event.preventDefault();
		event.dataTransfer.dropEffect = 'copy';
	}
});
composer.addEventListener('drop', event => {
	if (pendingImage.takeFrom(event.dataTransfer)) {
		event.preventDefault();
	}
});
sendButton.addEventListener('click', send);
stopButton.addEventListener('click', () => post({ type: 'stop' }));
byId('new').addEventListener('click', () => post({ type: 'newChat' }));
byId('history').addEventListener('click', () => post({ type: 'showHistory' }));
effortSelect.addEventListener('change', () => post({ type: 'setEffort', effort: effortSelect.value as ReasoningEffort }));

// An error's buttons, in the notice above the chat or under a failed answer.
document.addEventListener('click', event => {
	const action = clickedErrorAction(event.target);
	if (action) {
		post({ type: 'runErrorAction', action });
	}
});

list.addEventListener('click', event => {
	const target = event.target as HTMLElement;
	const link = target.closest('a');
	if (link) {
		event.preventDefault();
		const href = link.getAttribute('href') ?? '';
		if (isAllowedLink(href)) {
			post({ type: 'openLink', href });
		}
		return;
	}
	const button = target.closest<HTMLButtonElement>('button[data-action]');
	const code = button?.closest('.code-block')?.querySelector('pre code')?.textContent;
	if (!button || code == null) {
		return;
	}
	const action = button.dataset['action'];
	if (action === 'copy' || action === 'insert' || action === 'apply') {
		post({ type: action, code });
		if (action === 'copy') {
			flash(button, 'Copied');
		}
	}
});

function flash(button: HTMLButtonElement, text: string): void {
	const original = button.textContent;
	button.textContent = text;
	button.addEventListener('blur', () => button.textContent = original, { once: true });
}

function scrollToEnd(): void {
	list.scrollTop = list.scrollHeight;
}

function firstLine(text: string): string {
	const line = text.trim().split('\n')[0] ?? '';
	return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

renderChips();
showBusy();
post({ type: 'ready' });
