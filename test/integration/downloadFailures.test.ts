import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { BoraErrorCodes, ModelsDownloadRequest, ModelsListRequest, type RuntimeErrorInfo } from '../../src/shared/protocol';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';
import { ModelFileServer } from '../support/ModelFileServer';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const MiB = 1024 * 1024;

/**
 * Failed downloads through a spawned runtime: each answer is a typed `downloadFailed` whose message
 * says why, it comes promptly (the test timeout is far below the minutes node-llama-cpp's
 * downloader would retry), every attempt is in the runtime log, and the runtime still downloads,
 * loads and completes afterwards. The stall limit (30 s) is tested at the runtime level with a short value.
 */
describe('download failures over LSP', function () {
	this.timeout(60_000);
	let server: RuntimeServerProcess;
	let files: ModelFileServer;
	let storageDir: string;
	let gguf: Buffer;
	let attempt = 0;

	const download = (uri: string) => server.connection.sendRequest(ModelsDownloadRequest.type, { storageDir, downloadId: `d${++attempt}`, uri, id: `m${attempt}`, name: `Model ${attempt}` });
	const failureOf = async (uri: string): Promise<RuntimeErrorInfo> => {
		const error = await download(uri).then(() => undefined, (caught: unknown) => caught);
		assert.ok(error instanceof ResponseError && error.code === BoraErrorCodes.unavailable, `a typed error, not ${String(error)}`);
		const info = error.data as RuntimeErrorInfo;
		assert.equal(info.code, 'downloadFailed', info.message);
		assert.ok(server.logs.some(line => line.includes(`The download of Model ${attempt} from ${uri} failed`)), `the failed attempt is logged:\n${server.logs.join('\n')}`);
		return info;
	};

	before(async () => {
		gguf = await readFile(await ensureFixtureModel('qwenFim'));
		files = new ModelFileServer();
		await files.start();
		storageDir = await mkdtemp(join(tmpdir(), 'bora-lsp-download-failures-'));
		server = await RuntimeServerProcess.start({ initializationOptions: { gpu: 'off', threads: 1 } });
	});
	after(async () => {
		await server?.stop();
		await files.stop();
		await rm(storageDir, { recursive: true, force: true });
	});

	it('a host name that does not resolve: "cannot resolve bora-test.invalid", with Retry in the action', async () => {
		const info = await failureOf('http://bora-test.invalid/model.gguf');
		assert.match(info.message, /cannot resolve bora-test\.invalid/);
		assert.match(info.action, /Retry/);
	});

	it('a refused port: "connection refused by 127.0.0.1:<port>"', async () => {
		const port = await ModelFileServer.refusedPort();
		const info = await failureOf(`http://127.0.0.1:${port}/model.gguf`);
		assert.match(info.message, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
	});

	it('TLS to a server that speaks plain HTTP: "a secure connection to … failed"', async () => {
		const info = await failureOf(files.url('/model.gguf').replace('http:', 'https:'));
		assert.match(info.message, /a secure connection to 127\.0\.0\.1:\d+ failed \(ERR_SSL_[A-Z_]+\)/);
	});

	it('HTTP errors: "the server answered 404 Not Found for …", and 500', async () => {
		const missing = files.url('/missing.gguf');
		assert.ok((await failureOf(missing)).message.includes(`the server answered 404 Not Found for ${missing}`));
		files.files.set('/broken.gguf', { body: gguf, status: 500 });
		assert.match((await failureOf(files.url('/broken.gguf'))).message, /the server answered 500 Internal Server Error for http:\/\/127\.0\.0\.1:\d+\/broken\.gguf/);
	});

	it('afterwards, a download whose connection is reset midway resumes, completes, loads and completes code', async () => {
		files.files.set('/m.gguf', { body: gguf, resetAfterBytes: 1 * MiB, resets: 1 });
		const model = await download(files.url('/m.gguf'));
		assert.equal(files.faults[0]?.kind, 'reset');
		assert.deepEqual(await readFile(model.modelPath), gguf);
		assert.ok(server.logs.some(line => line.startsWith(`Downloaded Model ${attempt}`)), server.logs.join('\n'));
		assert.deepEqual((await server.connection.sendRequest(ModelsListRequest.type, { storageDir })).map(item => item.id), [`m${attempt}`], 'no failed download left a model');

		await server.configure({ modelPath: model.modelPath });
		await server.waitForState('ready', state => state.model.path === model.modelPath);
		const uri = 'file:///w/a.js';
		const position = await server.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
		assert.equal((await server.complete(uri, position))?.items[0]?.insertText, canonicalFim.middle);
	});
});
