import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol/node';
import { BoraErrorCodes, type RuntimeErrorCode, type RuntimeErrorInfo } from '../../src/shared/protocol';
import { completionModeOf } from '../../src/shared/completionMode';
import { canonicalFim, chatAnswer, endlessFim, ensureFixtureModels, type FixtureName } from '../models/fixtures';
import { repoRoot } from '../support/paths';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const uri = 'file:///workspace/add.js';
const documentText = `${canonicalFim.prefix}|${canonicalFim.suffix}\n`;
const badFiles = join(repoRoot, '.cache', 'bad-models');

/** Asserts that an inline completion request is answered with Bora's typed error. */
async function assertUnavailable(server: RuntimeServerProcess, code: RuntimeErrorCode): Promise<RuntimeErrorInfo> {
	const position = await server.open(uri, documentText);
	const error = await server.complete(uri, position).then(() => undefined, (e: unknown) => e);
	assert.ok(error instanceof ResponseError, `expected a ResponseError, got ${String(error)}`);
	assert.equal(error.code, BoraErrorCodes.unavailable);
	const info = error.data as RuntimeErrorInfo;
	assert.equal(info.code, code);
	assert.ok(info.action.length > 10, 'says what to do');
	return info;
}

/** After a bad model, the same server loads a good one and completes. */
async function assertStillServes(server: RuntimeServerProcess, goodModel: string): Promise<void> {
	await server.configure({ modelPath: goodModel });
	await server.waitForState('ready', state => state.model.path === goodModel);
	const position = await server.open('file:///workspace/after.js', documentText);
	assert.equal((await server.complete('file:///workspace/after.js', position))?.items[0]?.insertText, canonicalFim.middle);
}

describe('bad input: clear errors, and the server keeps answering', function () {
	this.timeout(120_000);
	let models: Record<FixtureName, string>;

	before(async () => {
		models = await ensureFixtureModels();
		await mkdir(badFiles, { recursive: true });
	});

	async function startWith(modelPath: string): Promise<RuntimeServerProcess> {
		return RuntimeServerProcess.start({ initializationOptions: { modelPath, threads: 2 } });
	}

	it('a missing path', async () => {
		const missing = join(badFiles, 'does-not-exist.gguf');
		const server = await startWith(missing);
		try {
			const state = await server.waitForState('error');
			assert.equal(state.error.code, 'modelNotFound');
			assert.equal(state.error.message, `Model file not found: ${missing}`);
			await assertUnavailable(server, 'modelNotFound');
			await assertStillServes(server, models.qwenFim);
		} finally {
			await server.stop();
		}
	});

	it('a truncated GGUF', async () => {
		const truncated = join(badFiles, 'truncated.gguf');
		const bytes = await readFile(models.qwenFim);
		await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
		const server = await startWith(truncated);
		try {
			const state = await server.waitForState('error');
			assert.equal(state.error.code, 'truncatedModel');
			assert.match(state.error.message, /is incomplete: it has [\d,]+ bytes, but its header describes [\d,]+/);
			assert.match(state.error.action, /Download the model again/);
			await assertUnavailable(server, 'truncatedModel');
			await assertStillServes(server, models.qwenFim);
		} finally {
			await server.stop();
		}
	});

	it('a GGUF cut inside its header', async () => {
		const headerOnly = join(badFiles, 'header-cut.gguf');
		await writeFile(headerOnly, (await readFile(models.qwenFim)).subarray(0, 4096));
		const server = await startWith(headerOnly);
		try {
			const state = await server.waitForState('error');
			assert.equal(state.error.code, 'truncatedModel');
			assert.match(state.error.message, /damaged or incomplete|is incomplete|damaged or hostile GGUF header: it claims/);
		} finally {
			await server.stop();
		}
	});

	it('a text file named .gguf', async () => {
		const text = join(badFiles, 'notes.gguf');
		await writeFile(text, 'These are my notes, not a model.\n');
		const server = await startWith(text);
		try {
			const state = await server.waitForState('error');
			assert.equal(state.error.code, 'invalidModel');
			assert.equal(state.error.message, `${text} is not a GGUF model: the file does not start with the GGUF header.`);
			await assertUnavailable(server, 'invalidModel');
			await assertStillServes(server, models.mistral4Fim);
		} finally {
			await server.stop();
		}
	});

	it('a model without FIM tokens but with a chat template completes in chat-model mode', async () => {
		const noFimCopy = join(badFiles, 'qwen2.5-coder-named-but-no-fim.gguf');
		// The file name promises a FIM model; detection must look at the vocabulary only.
		await copyFile(models.noFim, noFimCopy);
		const server = await startWith(noFimCopy);
		try {
			const ready = await server.waitForState('ready');
			assert.equal(ready.model.fim.supported, false);
			assert.equal(completionModeOf(ready.model), 'chat');
			const position = await server.open(uri, documentText);
			// The cursor follows `{`, so the SentencePiece space of the answer's first word stays.
			assert.equal((await server.complete(uri, position))?.items[0]?.insertText, ` ${chatAnswer}`);
		} finally {
			await server.stop();
		}
	});

	it('a model with neither FIM tokens nor a chat template loads, says so, and completion answers with the reason', async () => {
		const server = await startWith(models.noFimNoTemplate);
		try {
			const ready = await server.waitForState('ready');
			assert.equal(ready.model.fim.supported, false);
			assert.equal(completionModeOf(ready.model), 'none');
			const info = await assertUnavailable(server, 'noFimSupport');
			assert.match(info.message, /no fill-in-the-middle tokens/);
			await assertStillServes(server, models.qwenFim);
		} finally {
			await server.stop();
		}
	});

	it('no model configured', async () => {
		const server = await RuntimeServerProcess.start();
		try {
			const idle = await server.waitForState('idle');
			assert.equal(idle.reason.code, 'noModel');
			await assertUnavailable(server, 'noModel');
			await assertStillServes(server, models.qwenFim);
		} finally {
			await server.stop();
		}
	});

	it('bad command-line options exit with a usage message', async () => {
		await assert.rejects(RuntimeServerProcess.start({ args: ['--gpu', 'sometimes'] }), /--gpu must be auto, on or off/);
	});
});

describe('cancellation over LSP', function () {
	this.timeout(120_000);

	it('$/cancelRequest ends a running generation; the next request is served', async () => {
		const models = await ensureFixtureModels();
		const server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: models.mistral4Fim, threads: 2 } });
		try {
			await server.waitForState('ready');
			// The endless case runs until cancelled or the token limit. The runtime suite proves an abort
			// stops generation within one token; this proves the cancel crosses the wire and the server stays usable.
			const endless = await server.open('file:///workspace/loop.txt', `${endlessFim.prefix}|`);
			const source = new CancellationTokenSource();
			const pending = server.complete('file:///workspace/loop.txt', endless, source.token).then(() => undefined, (e: unknown) => e);
			await new Promise(resolve => setImmediate(resolve));
			source.cancel();
			const error = await pending;
			assert.ok(error instanceof ResponseError, `expected a cancellation error, got ${String(error)}`);
			assert.equal(error.code, LSPErrorCodes.RequestCancelled);

			const position = await server.open(uri, documentText);
			assert.equal((await server.complete(uri, position))?.items[0]?.insertText, canonicalFim.middle);
		} finally {
			await server.stop();
		}
	});
});
