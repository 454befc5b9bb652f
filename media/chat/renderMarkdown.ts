/*
 * Model output → safe HTML. Pure (no DOM, no VS Code), so the webview bundles it and the standalone
 * tests run it in Node. Safety does not depend on the caller: raw HTML is escaped (`html: false`),
 * only http(s) and mailto links become links, no image of the answer becomes an <img> (each is its
 * alt text, linked to its address when that is http(s)), and code is highlighted by highlight.js,
 * which escapes.
 */
import hljs from 'highlight.js/lib/common';
import MarkdownIt from 'markdown-it';

const allowedLink = /^(https?:|mailto:)/i;

/** True for the only link targets an answer may carry: http, https and mailto. */
export function isAllowedLink(href: string): boolean {
	// Browsers ignore control characters and whitespace inside a scheme ("java\tscript:"), so drop them first.
	const compact = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
	return allowedLink.test(compact);
}

const markdown = new MarkdownIt({
	html: false,
	linkify: true,
	typographer: false,
	highlight: (code, language) => {
		const name = language.trim().toLowerCase();
		if (name && hljs.getLanguage(name)) {
			return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
		}
		return '';
	},
});
markdown.validateLink = isAllowedLink;

const defaultFence = markdown.renderer.rules.fence!;
/** Wraps each code block with its action buttons; the webview wires them up by delegation. */
markdown.renderer.rules.fence = (tokens, index, options, env, self) => {
	const token = tokens[index]!;
	const language = token.info.trim().split(/\s+/)[0] ?? '';
	const name = language && hljs.getLanguage(language) ? language.toLowerCase() : '';
	if (name) {
		token.attrJoin('class', 'hljs');
	}
	const inner = defaultFence(tokens, index, options, env, self);
	const label = name ? markdown.utils.escapeHtml(name) : 'code';
	return '<div class="code-block">'
		+ `<div class="code-toolbar" role="toolbar" aria-label="${label} code block actions">`
		+ `<span class="code-language">${label}</span>`
		+ '<button type="button" data-action="copy" title="Copy the code">Copy</button>'
		+ '<button type="button" data-action="insert" title="Insert the code at the cursor in the editor">Insert</button>'
		+ '<button type="button" data-action="apply" title="Put the code over the selection, over the function of the same name, or at the cursor, after reviewing a diff">Apply…</button>'
		+ `</div>${inner}</div>`;
};

/** Links open in the host after a click, never by themselves in the webview. */
const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
	tokens[index]!.attrSet('rel', 'noopener noreferrer');
	return defaultLinkOpen(tokens, index, options, env, self);
};

/**
 * An answer's image is never fetched: loading a remote one would tell its server that the answer was
 * read (and could carry what the model was shown in its address), and the CSP is a second guard,
 * not the only one. Its alt text stands in, as a link the user can choose to open when the address
 * is http(s).
 */
markdown.renderer.rules.image = (tokens, index, options, env, self) => {
	const token = tokens[index]!;
	const source = String(token.attrGet('src') ?? '');
	const alt = self.renderInlineAsText(token.children ?? [], options, env).trim();
	const text = markdown.utils.escapeHtml(alt || (isAllowedLink(source) ? source : 'image'));
	// Inside a link (a badge), a second link would nest anchors: the text alone, in the outer link.
	const insideLink = tokens.slice(0, index).reduce((depth, previous) => depth + (previous.type === 'link_open' ? 1 : previous.type === 'link_close' ? -1 : 0), 0) > 0;
	if (insideLink || !isAllowedLink(source) || /^mailto:/i.test(source.trim())) {
		return `<span class="image-alt">${text}</span>`;
	}
	return `<a href="${markdown.utils.escapeHtml(source)}" rel="noopener noreferrer" class="image-alt">${text}</a>`;
};

/** Renders a (possibly partial, still streaming) markdown answer to HTML that cannot run script. */
export function renderMarkdown(text: string): string {
	return markdown.render(text);
}
