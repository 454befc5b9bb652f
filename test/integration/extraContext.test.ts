import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildFimHead, detectFimFormat, vocabularyOf } from '../../src/runtime';
import { canonicalFim, ensureFixtureModels } from '../models/fixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';
import { disposeVocabModels, vocabModel } from '../support/vocabModels';

const documentText = `${canonicalFim.prefix}|${canonicalFim.suffix}\n`;
const linesOf = (tag: string, count: number) => Array.from({ length: count }, (_, i) => `const ${tag}${i} = ${i};\n`).join('');

/** Extra-context tokens the runtime's prompt must hold for exactly these chunks (the Mistral fixture's tokenizer). */
async function contextTokensOf(chunks: Array<{ name: string; text: string }>): Promise<number> {
	const model = await vocabModel({ fixture: 'mistral4Fim' });
	const detection = detectFimFormat(vocabularyOf(model.fileInfo), { addBos: model.tokens.shouldPrependBosToken });
	assert.ok('format' in detection);
	return buildFimHead(detection.format, model, { extraContext: chunks }).contextTokens;
}

describe('extra context for completion through a spawned runtime and a real LSP connection', function () {
	this.timeout(120_000);
	let modelPath: string;
	let workspace: string;
	let rootUri: string;
	before(async () => {
		modelPath = (await ensureFixtureModels()).mistral4Fim;
		workspace = await mkdtemp(join(tmpdir(), 'bora-extra-context-'));
		rootUri = pathToFileURL(workspace).href;
	});
	after(async () => {
		await disposeVocabModels();
		await rm(workspace, { recursive: true, force: true });
	});

	it('an edit in file A is context for a completion in file B, and a changed chunk never leaves its old text in the prompt', async () => {
		const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2'], rootUri });
		try {
			await server.waitForState('ready');
			const a = `${rootUri}/a.js`;
			const b = `${rootUri}/b.js`;
			const original = linesOf('a', 10);
			await server.open(a, `|${original}`);
			assert.equal((await server.complete(b, await server.open(b, documentText)))?.items[0]?.insertText, canonicalFim.middle);
			assert.equal(server.completionStats.at(-1)?.extraContextChunks, 0, 'an opened file that nobody edited or looked at is not context');
			// B changes a little before each request, so the model runs (an unchanged B would reuse the shown suggestion).
			let step = 0;
			const completeInB = async () => server.complete(b, await server.replaceText(b, `// step ${++step}\n${documentText}`));

			const edited = original.replace('const a4 = 4;', 'const a4 = "edited";');
			await server.replaceText(a, `|${edited}`);
			assert.equal((await completeInB())?.items[0]?.insertText, canonicalFim.middle);
			const afterEdit = server.completionStats.at(-1)!;
			assert.equal(afterEdit.extraContextChunks, 1);
			assert.equal(afterEdit.extraContextTokens, await contextTokensOf([{ name: 'a.js', text: edited }]), 'the lines around the edit, as they are now');

			const editedAgain = original.replace('const a4 = 4;', 'const a4 = "edited again, with a longer value";');
			await server.replaceText(a, `|${editedAgain}`);
			await completeInB();
			const afterSecondEdit = server.completionStats.at(-1)!;
			assert.equal(afterSecondEdit.extraContextChunks, 1, 'the chunk was replaced, not joined by a second one');
			assert.equal(afterSecondEdit.extraContextTokens, await contextTokensOf([{ name: 'a.js', text: editedAgain }]));
			assert.notEqual(afterSecondEdit.extraContextTokens, await contextTokensOf([{ name: 'a.js', text: edited }, { name: 'a.js', text: editedAgain }]));

			// A completion in A has B's edited lines as context, and not A's own chunk: A's text is in the prompt already.
			const inA = await server.replaceText(a, `${editedAgain}${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
			await server.complete(a, inA);
			const bNow = `// step ${step}\n${documentText.replace('|', '')}`;
			assert.deepEqual(
				{ chunks: server.completionStats.at(-1)?.extraContextChunks, tokens: server.completionStats.at(-1)?.extraContextTokens },
				{ chunks: 1, tokens: await contextTokensOf([{ name: 'b.js', text: bNow }]) },
			);
		} finally {
			await server.stop();
		}
	});

	it('the files a document imports by relative path are read from disk as context', async () => {
		const libText = linesOf('lib', 5);
		await writeFile(join(workspace, 'lib.js'), libText);
		const mainPath = join(workspace, 'main.js');
		const mainText = `import { lib0 } from './lib.js';\nimport missing from './missing.js';\n${documentText}`;
		await writeFile(mainPath, mainText.replace('|', ''));
		const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2'], rootUri });
		try {
			await server.waitForState('ready');
			const main = pathToFileURL(mainPath).href;
			assert.equal((await server.complete(main, await server.open(main, mainText)))?.items[0]?.insertText, canonicalFim.middle);
			const stats = server.completionStats.at(-1)!;
			assert.equal(stats.extraContextChunks, 1, 'lib.js; the missing file is skipped');
			assert.equal(stats.extraContextTokens, await contextTokensOf([{ name: 'lib.js', text: libText }]));
		} finally {
			await server.stop();
		}
	});

	it('a range the user looked at is context, evaluated ahead while idle, so the next request finds it cached', async () => {
		const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2'], rootUri });
		try {
			await server.waitForState('ready');
			const viewed = `${rootUri}/viewed.js`;
			const b = `${rootUri}/b.js`;
			const viewedText = linesOf('viewed', 30);
			await server.open(viewed, `|${viewedText}`);
			const position = await server.open(b, documentText);
			await server.editorContext({ uri: viewed, visibleLines: { start: 0, end: 20 } });
			await server.editorContext({ uri: b, visibleLines: { start: 0, end: 2 } });
			await server.waitForLog(line => line.startsWith('extra context for b.js:') && line.includes('evaluated ahead'));
			await server.complete(b, position);
			const stats = server.completionStats.at(-1)!;
			assert.equal(stats.extraContextChunks, 1, 'the viewed file (b.js is the one being completed)');
			assert.equal(stats.extraContextTokens, await contextTokensOf([{ name: 'viewed.js', text: viewedText }]));
			assert.ok(stats.cachedPromptTokens >= stats.extraContextTokens!, JSON.stringify(stats));
		} finally {
			await server.stop();
		}
	});

	it('copied text sent by the client is one chunk, replaced by the next copy', async () => {
		const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2'], rootUri });
		try {
			await server.waitForState('ready');
			const b = `${rootUri}/b.js`;
			await server.open(b, documentText);
			const first = linesOf('copied', 3);
			const second = linesOf('pasted', 4);
			await server.editorContext({ uri: b, copiedText: first });
			await server.editorContext({ uri: b, copiedText: second });
			await server.complete(b, await server.replaceText(b, `// after copying\n${documentText}`));
			const stats = server.completionStats.at(-1)!;
			assert.deepEqual(
				{ chunks: stats.extraContextChunks, tokens: stats.extraContextTokens },
				{ chunks: 1, tokens: await contextTokensOf([{ name: 'copied text', text: second }]) },
			);
		} finally {
			await server.stop();
		}
	});

	it('bora.completion.extraContext.enabled false leaves every prompt without extra context', async () => {
		const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2', '--extraContextEnabled', 'false'], rootUri });
		try {
			await server.waitForState('ready');
			const a = `${rootUri}/a.js`;
			const b = `${rootUri}/b.js`;
			await server.open(a, `|${linesOf('a', 10)}`);
			await server.replaceText(a, `|${linesOf('a', 11)}`);
			await server.complete(b, await server.open(b, documentText));
			assert.equal(server.completionStats.at(-1)?.extraContextChunks, 0);
		} finally {
			await server.stop();
		}
	});

	describe('only files inside the workspace, and no secrets, enter a prompt', () => {
		let root: string;
		let folder: string;
		let folderUri: string;
		let mainPath: string;
		const utilText = linesOf('util', 5);
		const envText = 'API_TOKEN=do-not-send\nexport const TOKEN = "do-not-send";\n';
		const keyText = linesOf('privateKey', 4);
		// Imported from the document, each a way out of the workspace or into a secret, with util.js, the only file allowed, last.
		const imports = [
			'../outside/secret.env', './.env', './keys/id_rsa.js', './linked.js', './linkedFolder/lib.js', './generated/types.js', './util.js',
		];
		const mainText = `${imports.map((path, i) => `import * as m${i} from '${path}';\n`).join('')}${documentText}`;
		before(async () => {
			root = await mkdtemp(join(tmpdir(), 'bora-extra-context-policy-'));
			folder = join(root, 'ws');
			folderUri = pathToFileURL(folder).href;
			const outside = join(root, 'outside');
			await mkdir(join(folder, 'keys'), { recursive: true });
			await mkdir(join(folder, 'generated'));
			await mkdir(outside);
			await writeFile(join(outside, 'secret.env'), linesOf('outsideSecret', 4));
			await writeFile(join(outside, 'lib.js'), linesOf('outsideLib', 4));
			await writeFile(join(outside, 'notes.js'), linesOf('outsideNotes', 4));
			await symlink(join(outside, 'lib.js'), join(folder, 'linked.js'));
			await symlink(outside, join(folder, 'linkedFolder'));
			await writeFile(join(folder, '.env'), envText);
			await writeFile(join(folder, 'keys', 'id_rsa.js'), keyText);
			await writeFile(join(folder, 'generated', 'types.js'), linesOf('generated', 4));
			await writeFile(join(folder, 'util.js'), utilText);
			mainPath = join(folder, 'main.js');
			await writeFile(mainPath, mainText.replace('|', ''));
		});
		after(() => rm(root, { recursive: true, force: true }));

		it('imports outside the folder, through a symlink, secrets and files.exclude are not read; open documents of those kinds are not context either', async () => {
			const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2'], rootUri: folderUri, initializationOptions: { filesExclude: ['**/generated'] } });
			try {
				await server.waitForState('ready');
				// The user has the secret, an outside file and a symlinked one open, edits and looks at them: none of it is context for main.js.
				const opened = [join(folder, '.env'), join(root, 'outside', 'notes.js'), join(folder, 'linked.js')];
				for (const [i, path] of opened.entries()) {
					const uri = pathToFileURL(path).href;
					await server.open(uri, `|${linesOf(`opened${i}_`, 8)}`);
					await server.replaceText(uri, `|${linesOf(`opened${i}_`, 8).replace(' = 3;', ' = "edited";')}`);
					await server.editorContext({ uri, visibleLines: { start: 0, end: 8 } });
				}
				const main = pathToFileURL(mainPath).href;
				const position = await server.open(main, mainText);
				await server.editorContext({ uri: main, visibleLines: { start: 0, end: 4 } });
				assert.equal((await server.complete(main, position))?.items[0]?.insertText, canonicalFim.middle, 'completion still works');
				const stats = server.completionStats.at(-1)!;
				assert.deepEqual(
					{ chunks: stats.extraContextChunks, tokens: stats.extraContextTokens },
					{ chunks: 1, tokens: await contextTokensOf([{ name: 'util.js', text: utilText }]) },
					'util.js alone',
				);
			} finally {
				await server.stop();
			}
		});

		it('bora.completion.extraContext.exclude decides what counts as a secret; outside the workspace stays out whatever it says', async () => {
			const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2'], rootUri: folderUri, initializationOptions: { filesExclude: ['**/generated'] } });
			try {
				await server.waitForState('ready');
				const main = pathToFileURL(mainPath).href;
				await server.open(main, mainText);
				let step = 0;
				const completeInMain = async () => {
					const result = await server.complete(main, await server.replaceText(main, `// step ${++step}\n${mainText}`));
					assert.equal(result?.items[0]?.insertText, canonicalFim.middle);
					return server.completionStats.at(-1)!;
				};
				await server.configure({ extraContextExclude: ['**/util.js'] });
				const utilExcluded = await completeInMain();
				assert.deepEqual(
					{ chunks: utilExcluded.extraContextChunks, tokens: utilExcluded.extraContextTokens },
					{ chunks: 2, tokens: await contextTokensOf([{ name: '.env', text: envText }, { name: 'keys/id_rsa.js', text: keyText }]) },
					'the user replaced the secret patterns: .env and id_rsa.js are read, util.js is not',
				);
				await server.configure({ extraContextExclude: [] });
				const nothingExcluded = await completeInMain();
				assert.equal(nothingExcluded.extraContextChunks, 3, '.env, id_rsa.js and util.js; never the outside or symlinked files, nor generated/');
			} finally {
				await server.stop();
			}
		});

		it('without a workspace folder no other file is context', async () => {
			const server = await RuntimeServerProcess.start({ args: ['--model', modelPath, '--threads', '2'] });
			try {
				await server.waitForState('ready');
				const other = pathToFileURL(join(folder, 'other.js')).href;
				await server.open(other, `|${linesOf('other', 8)}`);
				await server.replaceText(other, `|${linesOf('other', 9)}`);
				const main = pathToFileURL(mainPath).href;
				assert.equal((await server.complete(main, await server.open(main, mainText)))?.items[0]?.insertText, canonicalFim.middle);
				assert.equal(server.completionStats.at(-1)?.extraContextChunks, 0);
			} finally {
				await server.stop();
			}
		});
	});
});
