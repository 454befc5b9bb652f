import assert from 'node:assert/strict';
import { DidChangeTextDocumentNotification, type Range } from 'vscode-languageserver-protocol/node';
import { canonicalFim, ensureFixtureModels, type FixtureName } from '../models/fixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const uri = 'file:///workspace/bundle.min.js';
/** The completion window's defaults (`charWindow`): what a prompt may see of a huge line. */
const maxCharsBefore = 16_384;
const maxCharsAfter = 4096;

describe('a 10 MiB single-line document: completion sees a bounded window around the cursor', function () {
	this.timeout(120_000);
	let models: Record<FixtureName, string>;
	before(async () => {
		models = await ensureFixtureModels();
	});

	it('opened, edited with incremental changes, and completed near the cursor from a bounded window', async () => {
		const server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: models.qwenFim, threads: 2 } });
		try {
			await server.waitForState('ready');
			// Minified-bundle-like: one line of 10 MiB, then the canonical case at its end.
			const filler = 'a=f(a,1);'.repeat(Math.ceil(10 * 1024 * 1024 / 9));
			const typed = 'function add(a, b';
			await server.open(uri, `${filler}${typed}|`);
			let version = 2;
			const change = (range: Range, text: string) => server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
				textDocument: { uri, version: version++ }, contentChanges: [{ range, text }],
			});
			const end = filler.length + typed.length;
			// An edit far from the cursor, at the line's start, then the rest of the signature and the closing brace.
			await change({ start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, 'b');
			await change({ start: { line: 0, character: end }, end: { line: 0, character: end } }, ') {');
			await change({ start: { line: 0, character: end + 3 }, end: { line: 0, character: end + 3 } }, canonicalFim.suffix);
			const result = await server.complete(uri, { line: 0, character: end + 3 });
			assert.equal(result?.items[0]?.insertText, canonicalFim.middle);
			const stats = server.completionStats.at(-1);
			assert.equal(stats?.line, 0);
			const windowChars = stats?.windowChars ?? Infinity;
			// All of the (short) suffix, and the window's worth before the cursor: not 10 MiB, not only the last few characters.
			assert.ok(windowChars <= maxCharsBefore + maxCharsAfter && windowChars > maxCharsBefore - 1024, `the prompt was built from ${windowChars} characters`);
		} finally {
			await server.stop();
		}
	});
});
