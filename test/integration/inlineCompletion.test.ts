import assert from 'node:assert/strict';
import { canonicalFim, ensureFixtureModels, fixtureDisplayNames, qwenJunkAfterFileSep, type FixtureName } from '../models/fixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const documentText = `${canonicalFim.prefix}|${canonicalFim.suffix}\n`;
const uri = 'file:///workspace/add.js';

describe('inline completion through a spawned runtime and a real LSP connection', function () {
	this.timeout(120_000);
	let models: Record<FixtureName, string>;
	before(async () => {
		models = await ensureFixtureModels();
	});

	for (const fixture of ['mistral4Fim', 'qwenFim', 'codellamaFim'] as const) {
		it(`${fixture}: returns the model's exact middle with a range at the cursor`, async () => {
			const server = await RuntimeServerProcess.start({ args: ['--model', models[fixture], '--threads', '2'] });
			try {
				const ready = await server.waitForState('ready');
				assert.equal(ready.model.name, fixtureDisplayNames[fixture]);
				assert.equal(ready.backend, 'cpu');
				assert.equal(ready.threads, 2);
				const position = await server.open(uri, documentText);
				const result = await server.complete(uri, position);
				// The best suggestion first; qwenFim has a second choice too (see the candidates tests).
				assert.deepEqual(result?.items[0], { insertText: canonicalFim.middle, range: { start: position, end: position } });
			} finally {
				await server.stop();
			}
		});
	}

	it('advertises inline completion and incremental sync', async () => {
		const server = await RuntimeServerProcess.start();
		try {
			assert.equal(server.initializeResult.capabilities.inlineCompletionProvider, true);
			assert.deepEqual(server.initializeResult.capabilities.textDocumentSync, { openClose: true, change: 2 });
			assert.equal(server.initializeResult.serverInfo?.name, 'bora-runtime');
		} finally {
			await server.stop();
		}
	});

	it('stops on the Qwen <|file_sep|> token instead of writing past it', async () => {
		const server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: models.qwenFim, threads: 2 } });
		try {
			await server.waitForState('ready');
			const position = await server.open(uri, documentText);
			const result = await server.complete(uri, position);
			assert.equal(result?.items[0]?.insertText, canonicalFim.middle);
			assert.ok(!result?.items[0]?.insertText.toString().includes(qwenJunkAfterFileSep.trim()));
		} finally {
			await server.stop();
		}
	});

	it('reports load progress, then ready with the model facts from GGUF metadata', async () => {
		const server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: models.mistral4Fim, threads: 2 } });
		try {
			const ready = await server.waitForState('ready');
			const loading = server.states.filter(state => state.kind === 'loading');
			assert.ok(loading.length >= 1, 'at least one loading state');
			assert.equal(loading[0]!.kind === 'loading' && loading[0]!.progress, 0);
			assert.equal(ready.model.architecture, 'mistral4');
			assert.ok(ready.model.experts && ready.model.experts.count > 1 && ready.model.experts.used >= 1, JSON.stringify(ready.model.experts));
			assert.equal(ready.model.hasChatTemplate, true);
			assert.deepEqual(ready.model.fim, { supported: true, format: 'mistral' });
			assert.ok(ready.model.trainContextSize > 0);
		} finally {
			await server.stop();
		}
	});

	it('follows edits sent as incremental document changes', async () => {
		const server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: models.mistral4Fim, threads: 2 } });
		try {
			await server.waitForState('ready');
			let position = await server.open(uri, 'function add(a, b|)\n');
			position = await server.replaceText(uri, documentText);
			const result = await server.complete(uri, position);
			assert.equal(result?.items[0]?.insertText, canonicalFim.middle);
		} finally {
			await server.stop();
		}
	});

	it('runs over IPC the way VS Code starts it', async () => {
		const server = await RuntimeServerProcess.start({ transport: 'ipc', initializationOptions: { modelPath: models.qwenFim, threads: 2 } });
		try {
			await server.waitForState('ready');
			const position = await server.open(uri, documentText);
			assert.equal((await server.complete(uri, position))?.items[0]?.insertText, canonicalFim.middle);
		} finally {
			await server.stop();
		}
	});

	it('switches models when the configuration changes', async () => {
		const server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: models.noFim, threads: 2 } });
		try {
			await server.waitForState('ready');
			await server.configure({ modelPath: models.qwenFim });
			await server.waitForState('ready', state => state.model.name === fixtureDisplayNames.qwenFim);
			const position = await server.open(uri, documentText);
			assert.equal((await server.complete(uri, position))?.items[0]?.insertText, canonicalFim.middle);
		} finally {
			await server.stop();
		}
	});
});

describe('inline completion results: typed-through reuse and stats', function () {
	this.timeout(120_000);

	it('typing the start of a suggestion shows the rest with no model call; an edit elsewhere asks the model again', async () => {
		const server = await RuntimeServerProcess.start({ args: ['--model', (await ensureFixtureModels()).mistral4Fim, '--threads', '2'] });
		try {
			await server.waitForState('ready');
			const first = await server.complete(uri, await server.open(uri, documentText));
			assert.equal(first?.items[0]?.insertText, canonicalFim.middle);
			assert.equal(server.completionStats.length, 1);

			const typed = await server.complete(uri, await server.replaceText(uri, `${canonicalFim.prefix} ret|${canonicalFim.suffix}\n`));
			assert.equal(typed?.items[0]?.insertText, canonicalFim.middle.slice(' ret'.length));
			assert.ok(server.logs.some(line => line.includes('served from the suggestion cache')), server.logs.join('\n'));
			assert.equal(server.completionStats.length, 1, 'typing through ran no model');

			// The same keystrokes after an edit below the cursor: the stored suggestion must not come back.
			const edited = await server.complete(uri, await server.replaceText(uri, `${canonicalFim.prefix} ret|${canonicalFim.suffix}\n// edited\n`));
			assert.notEqual(edited?.items[0]?.insertText, canonicalFim.middle.slice(' ret'.length));
			assert.equal(server.completionStats.length, 2, 'the edited state ran the model');
		} finally {
			await server.stop();
		}
	});
});
