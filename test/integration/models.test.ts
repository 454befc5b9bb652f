import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol/node';
import {
	BoraErrorCodes, ModelsDeleteRequest, ModelsDownloadProgressNotification, ModelsDownloadRequest, ModelsHardwareRequest, ModelsListRequest,
	ModelsRecommendedRequest, type ModelsDownloadProgress, type RuntimeErrorInfo,
} from '../../src/shared/protocol';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';
import { ModelFileServer } from '../support/ModelFileServer';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

describe('bora/models over LSP', function () {
	this.timeout(120_000);
	let server: RuntimeServerProcess;
	let files: ModelFileServer;
	let storageDir: string;
	let gguf: Buffer;
	const progress: ModelsDownloadProgress[] = [];

	before(async () => {
		gguf = await readFile(await ensureFixtureModel('qwenFim'));
		files = new ModelFileServer();
		await files.start();
		storageDir = await mkdtemp(join(tmpdir(), 'bora-lsp-models-'));
		server = await RuntimeServerProcess.start({ initializationOptions: { gpu: 'off', threads: 1 } });
		server.connection.onNotification(ModelsDownloadProgressNotification.type, (event: ModelsDownloadProgress) => {
			progress.push(event);
		});
	});
	after(async () => {
		await server?.stop();
		await files.stop();
		await rm(storageDir, { recursive: true, force: true });
	});

	it('reports the hardware', async () => {
		const hardware = await server.connection.sendRequest(ModelsHardwareRequest.type);
		assert.equal(hardware.backend, 'cpu');
		assert.ok(hardware.ramTotal > 0 && hardware.ramFree > 0 && hardware.ramFree <= hardware.ramTotal);
		assert.ok(hardware.cpuCores >= 1 && hardware.cpuThreads >= hardware.cpuCores);
		assert.deepEqual(hardware.gpuNames, []);
	});

	it('lists the catalog with a fit for this machine', async () => {
		const recommended = await server.connection.sendRequest(ModelsRecommendedRequest.type, { storageDir });
		assert.equal(recommended.length, 7);
		assert.ok(recommended.every(item => item.fit.summary.length > 0 && item.downloaded === undefined));
		assert.equal(recommended.find(item => item.entry.id === 'mistral-small-4')?.fit.level, 'tooLarge');
	});

	it('downloads with progress, lists, then the model loads and completes; delete removes it', async () => {
		files.files.set('/m.gguf', { body: gguf, chunkDelayMs: 5 });
		const model = await server.connection.sendRequest(ModelsDownloadRequest.type, { storageDir, downloadId: 'd1', uri: files.url('/m.gguf'), id: 'fixture', name: 'Fixture' });
		assert.ok(progress.some(event => event.downloadId === 'd1' && event.totalBytes === gguf.length));
		assert.ok(files.requests[0]?.range, 'the header was read (a Range request) before the body');
		const listed = await server.connection.sendRequest(ModelsListRequest.type, { storageDir });
		assert.deepEqual(listed.map(item => item.id), ['fixture']);
		assert.equal(listed[0]?.fit?.basis, 'header', 'a downloaded model carries the fit from its header');
		assert.deepEqual([listed[0]?.fit?.level, listed[0]?.fit?.placement?.gpuLayers], ['cpu', 0]);

		await server.configure({ modelPath: model.modelPath });
		const ready = await server.waitForState('ready', state => state.model.path === model.modelPath);
		assert.deepEqual([ready.fit?.basis, ready.gpuLayers, ready.contextSize], ['header', 0, 4096], 'the load used the header-based fit');
		const uri = 'file:///w/a.js';
		const position = await server.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
		assert.equal((await server.complete(uri, position))?.items[0]?.insertText, canonicalFim.middle);

		await server.configure({ modelPath: '' });
		await server.connection.sendRequest(ModelsDeleteRequest.type, { storageDir, id: 'fixture' });
		assert.deepEqual(await server.connection.sendRequest(ModelsListRequest.type, { storageDir }), []);
	});

	it('cancels a download with $/cancelRequest, and fails with a typed error for a bad file', async () => {
		files.files.set('/slow.gguf', { body: gguf, chunkDelayMs: 50 });
		const source = new CancellationTokenSource();
		const download = server.connection.sendRequest(ModelsDownloadRequest.type, { storageDir, downloadId: 'd2', uri: files.url('/slow.gguf'), id: 'slow' }, source.token);
		setTimeout(() => source.cancel(), 300);
		const cancelled = await download.then(() => undefined, (error: unknown) => error);
		assert.ok(cancelled instanceof ResponseError && cancelled.code === LSPErrorCodes.RequestCancelled, String(cancelled));

		files.files.set('/bad.gguf', { body: Buffer.from('not a model at all') });
		const failed = await server.connection.sendRequest(ModelsDownloadRequest.type, { storageDir, downloadId: 'd3', uri: files.url('/bad.gguf'), id: 'bad' })
			.then(() => undefined, (error: unknown) => error);
		assert.ok(failed instanceof ResponseError && failed.code === BoraErrorCodes.unavailable, String(failed));
		assert.equal((failed.data as RuntimeErrorInfo).code, 'verificationFailed');
	});
});
