import type { ErrorAction, ErrorActionButton } from '../../src/shared/webviewMessages';
import { element } from './dom';

/** The attribute that carries a button's action; the host checks the action before it runs it. */
const attribute = 'data-error-action';

/** An error's buttons (Select Model…, Open Settings, …), labels as text only. */
export function errorButtons(buttons: readonly ErrorActionButton[]): HTMLElement {
	return element('div', { className: 'error-actions' }, ...buttons.map(button => element('button', { className: 'error-action', text: button.label, attrs: { type: 'button', [attribute]: JSON.stringify(button.action) } })));
}

/** The action of an error button that was clicked on, if the click hit one. */
export function clickedErrorAction(target: EventTarget | null): ErrorAction | undefined {
	const button = target instanceof Element ? target.closest(`button[${attribute}]`) : null;
	const value = button?.getAttribute(attribute);
	if (!value) {
		return undefined;
	}
	try {
		return JSON.parse(value) as ErrorAction;
	} catch {
		return undefined;
	}
}
