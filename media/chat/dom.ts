/** Small DOM helpers for the chat webview; text always goes in through textContent. */

export function element<K extends keyof HTMLElementTagNameMap>(
	tag: K,
	props: { className?: string; text?: string; attrs?: Record<string, string> } = {},
	...children: Node[]
): HTMLElementTagNameMap[K] {
	const node = document.createElement(tag);
	if (props.className) {
		node.className = props.className;
	}
	if (props.text !== undefined) {
		node.textContent = props.text;
	}
	for (const [name, value] of Object.entries(props.attrs ?? {})) {
		node.setAttribute(name, value);
	}
	node.append(...children);
	return node;
}

export function byId<T extends HTMLElement>(id: string): T {
	const node = document.getElementById(id);
	if (!node) {
		throw new Error(`#${id} is missing from the chat panel`);
	}
	return node as T;
}
