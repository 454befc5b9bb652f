import assert from 'node:assert/strict';
import { isAllowedLink, renderMarkdown } from '../../media/chat/renderMarkdown';

describe('chat markdown rendering', () => {
	it('escapes raw HTML: an <img onerror> is text, not a tag', () => {
		assert.equal(renderMarkdown('<img src=x onerror=alert(1)>'), '<p>&lt;img src=x onerror=alert(1)&gt;</p>\n');
	});

	it('escapes a <script> block', () => {
		assert.equal(renderMarkdown('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
	});

	it('a javascript: link stays literal text without an href', () => {
		const html = renderMarkdown('[click](javascript:alert(1))');
		assert.equal(html, '<p>[click](javascript:alert(1))</p>\n');
		assert.doesNotMatch(html, /href/);
	});

	it('refuses data:, vbscript: and disguised javascript: links, keeps http(s) and mailto', () => {
		for (const href of ['data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', ' javascript:alert(1)', 'file:///etc/passwd']) {
			assert.equal(isAllowedLink(href), false, href);
			assert.doesNotMatch(renderMarkdown(`[x](${href})`), /href=/, href);
		}
		assert.equal(renderMarkdown('[docs](https://example.com/a?b=1&c=2)'), '<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">docs</a></p>\n');
		assert.ok(isAllowedLink('mailto:a@b.c'));
	});

	it('escapes HTML inside link text and autolinks', () => {
		assert.equal(renderMarkdown('[<b onclick=x>hi</b>](https://e.com)'), '<p><a href="https://e.com" rel="noopener noreferrer">&lt;b onclick=x&gt;hi&lt;/b&gt;</a></p>\n');
		assert.doesNotMatch(renderMarkdown('<javascript:alert(1)>'), /href/);
	});

	it('highlights a fenced block with its language class and action buttons', () => {
		const html = renderMarkdown('```js\nfunction add(a, b) { return a + b; }\n```');
		assert.match(html, /<pre><code class="hljs language-js">/);
		assert.match(html, /<span class="hljs-keyword">function<\/span>/);
		assert.match(html, /<span class="hljs-title function_">add<\/span>/);
		for (const action of ['copy', 'insert', 'apply']) {
			assert.match(html, new RegExp(`<button type="button" data-action="${action}"`));
		}
	});

	it('escapes HTML inside code blocks, with and without a known language', () => {
		assert.match(renderMarkdown('```html\n<script>alert(1)</script>\n```'), /&lt;<span class="hljs-name">script<\/span>&gt;/);
		const unknown = renderMarkdown('```nosuchlang\n<img src=x onerror=alert(1)>\n```');
		assert.match(unknown, /<pre><code class="language-nosuchlang">&lt;img src=x onerror=alert\(1\)&gt;\n<\/code><\/pre>/);
		assert.doesNotMatch(renderMarkdown('```"><img src=x onerror=alert(1)>\nx\n```'), /<img/);
	});

	it('renders a half-streamed answer (an unclosed fence) without throwing', () => {
		assert.match(renderMarkdown('Here:\n```ts\nconst a = 1'), /<pre><code class="hljs language-ts">/);
	});
});
