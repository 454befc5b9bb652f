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

	it('an image in the answer is never an <img>: an http(s) one is its alt text linked to its address, any other is its alt text', () => {
		assert.equal(
			renderMarkdown('![the chart](https://tracker.example/pixel.png?leak=secret "t")'),
			'<p><a href="https://tracker.example/pixel.png?leak=secret" rel="noopener noreferrer" class="image-alt">the chart</a></p>\n',
		);
		assert.equal(renderMarkdown('![](http://e.com/a.png)'), '<p><a href="http://e.com/a.png" rel="noopener noreferrer" class="image-alt">http://e.com/a.png</a></p>\n');
		assert.equal(renderMarkdown('![<b>x</b> "q"](https://e.com/a.png)'), '<p><a href="https://e.com/a.png" rel="noopener noreferrer" class="image-alt">&lt;b&gt;x&lt;/b&gt; &quot;q&quot;</a></p>\n');
		assert.equal(renderMarkdown('![mail](mailto:a@b.c)'), '<p><span class="image-alt">mail</span></p>\n');
		for (const source of ['data:image/png;base64,iVBORw0KGgo=', 'file:///etc/passwd', 'javascript:alert(1)', '//e.com/a.png', 'a.png', 'vscode-resource:/x.png']) {
			const html = renderMarkdown(`before ![alt](${source}) after`);
			assert.doesNotMatch(html, /<img|src=/, source);
			assert.match(html, /alt/, source);
		}
		// Inside a link (no nested anchor), in a list, a reference-style image: still no <img>.
		assert.equal(renderMarkdown('[![badge](https://e.com/b.svg)](https://e.com)'), '<p><a href="https://e.com" rel="noopener noreferrer"><span class="image-alt">badge</span></a></p>\n');
		assert.doesNotMatch(renderMarkdown('- ![x][r]\n\n[r]: https://e.com/r.png'), /<img/);
	});
});
