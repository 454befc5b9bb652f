import type { TurnView } from '../../src/shared/webviewMessages';
import { element } from './dom';
import { errorButtons } from './errorButtons';
import { renderMarkdown } from './renderMarkdown';
import { turnNotes } from './turnNotes';

/** The meter in the thinking block's summary. */
export function thinkingMeter(tokens: number, budget: number | undefined): string {
	return budget === undefined ? `Thinking · ${tokens} tokens` : `Thinking · ${tokens} / ${budget} tokens`;
}

/**
 * One exchange in the message list. Updates are incremental so that a streamed answer does not
 * reset the user's choice of opening or closing the thinking block.
 */
export class TurnElement {
	readonly root: HTMLElement;
	private readonly thinking: HTMLDetailsElement;
	private readonly meter: HTMLElement;
	private readonly thought: HTMLElement;
	private readonly answer: HTMLElement;
	private readonly status: HTMLElement;
	/** The runtime's notice about this answer, plain text. */
	private readonly notice: HTMLElement;
	/** The image the turn asked about, with its size and image-token use once answered. */
	private readonly thumbnail: HTMLElement;
	private renderedImage: string | undefined;
	private renderedAnswer: string | undefined;
	/** The block collapses once, when the answer starts; after that it is the user's. */
	private autoCollapsed = false;

	constructor(private turn: TurnView, streaming: boolean) {
		const attachments = turn.attachments.length > 0
			? element('ul', { className: 'attachments', attrs: { 'aria-label': 'Context sent' } }, ...turn.attachments.map(name => element('li', { className: 'chip static', text: name })))
			: element('span');
		this.meter = element('span', { className: 'meter' });
		this.thought = element('div', { className: 'thought' });
		this.thinking = element('details', { className: 'thinking' }, element('summary', {}, this.meter), this.thought);
		this.thinking.open = streaming;
		this.autoCollapsed = !streaming;
		this.answer = element('div', { className: 'answer markdown' });
		this.status = element('div', { className: 'turn-status' });
		this.notice = element('p', { className: 'turn-notice', attrs: { role: 'note', 'aria-label': 'Note from Bora' } });
		this.thumbnail = element('figure', { className: 'thumbnail' });
		this.root = element('article', { className: 'turn', attrs: { 'aria-label': 'Chat exchange' } },
			element('div', { className: 'message user' }, element('div', { className: 'role', text: 'You' }), this.thumbnail, element('div', { className: 'user-text', text: turn.user }), attachments),
			element('div', { className: 'message assistant' }, element('div', { className: 'role', text: 'Bora' }), this.thinking, this.answer, this.notice, this.status),
		);
		this.render(streaming);
	}

	get view(): TurnView {
		return this.turn;
	}

	update(turn: TurnView, streaming: boolean): void {
		this.turn = turn;
		this.render(streaming);
	}

	/** Takes new data now and paints it on the next `render` (streams are coalesced per frame). */
	stage(turn: TurnView): void {
		this.turn = turn;
	}

	render(streaming: boolean): void {
		const turn = this.turn;
		const hasThinking = turn.thought !== '' || turn.thoughtTokens > 0;
		this.thinking.hidden = !hasThinking;
		this.meter.textContent = thinkingMeter(turn.thoughtTokens, turn.thoughtBudget);
		if (this.thought.textContent !== turn.thought) {
			this.thought.textContent = turn.thought;
		}
		if (turn.answer !== '' && !this.autoCollapsed) {
			this.autoCollapsed = true;
			this.thinking.open = false;
		}
		if (this.renderedAnswer !== turn.answer) {
			this.renderedAnswer = turn.answer;
			// renderMarkdown escapes all raw HTML and drops unsafe links, so its output is safe markup.
			this.answer.innerHTML = renderMarkdown(turn.answer);
		}
		this.renderImage(turn);
		this.answer.classList.toggle('streaming', streaming);
		this.root.setAttribute('aria-busy', String(streaming));
		const { status, notice } = turnNotes(turn, streaming);
		// Text only: a notice is the runtime's sentence, never markup.
		this.notice.hidden = notice === undefined;
		this.notice.textContent = notice ?? '';
		this.status.className = status ? `turn-status ${status.kind}` : 'turn-status';
		if (status?.kind === 'error') {
			this.status.setAttribute('role', 'alert');
			// Written by the extension host; renderMarkdown escapes all raw HTML.
			this.status.innerHTML = renderMarkdown(status.markdown);
			if (turn.errorActions && turn.errorActions.length > 0) {
				this.status.append(errorButtons(turn.errorActions));
			}
		} else {
			this.status.removeAttribute('role');
			this.status.textContent = status?.text ?? '';
		}
	}

	private renderImage({ image }: TurnView): void {
		const key = image ? `${image.src}\n${image.detail ?? ''}` : '';
		if (key === this.renderedImage) {
			return;
		}
		this.renderedImage = key;
		this.thumbnail.hidden = !image;
		this.thumbnail.replaceChildren(...image ? [
			element('img', { attrs: { src: image.src, alt: image.name } }),
			element('figcaption', { text: image.detail ? `${image.name} · ${image.detail}` : image.name }),
		] : []);
	}
}
