import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { canonicalFim, ensureFixtureModels } from '../models/fixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

describe('warm start through a spawned runtime and a real LSP connection', function () {
	this.timeout(120_000);
	let modelPath: string;
	let workspace: string;
	let rootUri: string;
	before(async () => {
		modelPath = (await ensureFixtureModels()).qwenFim;
		workspace = await mkdtemp(join(tmpdir(), 'bora-warm-start-'));
		rootUri = pathToFileURL(workspace).href;
	});
	after(() => rm(workspace, { recursive: true, force: true }));

	it('the first request after the load finds the context created, and a file the editor focused finds its prompt cached', async () => {
		const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2'], rootUri });
		try {
			await server.waitForState('ready');
			const a = `${rootUri}/a.js`;
			const first = await server.open(a, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
			assert.equal((await server.complete(a, first))?.items[0]?.insertText, canonicalFim.middle);
			assert.equal(server.completionStats.at(-1)?.contextCreateMs, undefined, 'created at the load, not by the request');

			// A file opened and focused, with the cursor where the user will type: its prompt is evaluated before the first keystroke.
			const b = `${rootUri}/b.js`;
			const cursor = await server.open(b, `// opened, not typed in yet\n${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
			await server.editorContext({ uri: b, cursor });
			await server.waitForLog(line => line.startsWith('prompt for b.js:') && line.includes('evaluated ahead'));
			assert.equal((await server.complete(b, cursor))?.items[0]?.insertText, canonicalFim.middle);
			const stats = server.completionStats.at(-1)!;
			assert.equal(stats.uri, b);
			assert.equal(stats.contextCreateMs, undefined);
			assert.equal(stats.cachedPromptTokens, stats.promptTokens - 1, JSON.stringify(stats));
		} finally {
			await server.stop();
		}
	});

	it('a file focused while the model loads is evaluated ahead once it is ready', async () => {
		const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2'], rootUri });
		try {
			// As the extension does when the runtime starts: it reports the active editor at once.
			const b = `${rootUri}/b.js`;
			const cursor = await server.open(b, `// focused during the load\n${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
			await server.editorContext({ uri: b, cursor });
			await server.waitForState('ready');
			await server.waitForLog(line => line.startsWith('prompt for b.js:') && line.includes('evaluated ahead'));
			assert.equal((await server.complete(b, cursor))?.items[0]?.insertText, canonicalFim.middle);
			const stats = server.completionStats.at(-1)!;
			assert.equal(stats.contextCreateMs, undefined);
			assert.equal(stats.cachedPromptTokens, stats.promptTokens - 1, JSON.stringify(stats));
		} finally {
			await server.stop();
		}
	});
});
