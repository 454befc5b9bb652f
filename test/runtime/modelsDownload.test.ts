import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLlama, downloadModel, ModelStore, RuntimeError, type DownloadProgress, type LlamaHandle } from '../../src/runtime';
import { ensureFixtureModel } from '../models/fixtures';
import { ModelFileServer } from '../support/ModelFileServer';

describe('model downloads (local HTTP server on 127.0.0.1)', function () {
	this.timeout(60_000);
	let handle: LlamaHandle;
	let server: ModelFileServer;
	let gguf: Buffer;
	let storageDir: string;
	let store: ModelStore;

	before(async () => {
		handle = await createLlama({ gpu: 'off', threads: 1 });
		gguf = await readFile(await ensureFixtureModel('qwenFim'));
		server = new ModelFileServer();
		await server.start();
	});
	after(async () => {
		await server.stop();
		await handle.llama.dispose();
	});
	beforeEach(async () => {
		storageDir = await mkdtemp(join(tmpdir(), 'bora-models-'));
		store = new ModelStore(storageDir);
		server.reset();
	});
	afterEach(() => rm(storageDir, { recursive: true, force: true }));

	it('downloads with progress events, verifies the file and lists it', async () => {
		server.files.set('/qwen.gguf', { body: gguf });
		const events: DownloadProgress[] = [];
		const model = await downloadModel(handle.llama, store, {
			id: 'qwen-test', name: 'Qwen test', role: 'completion', uri: server.url('/qwen.gguf'), progressIntervalMs: 1, onProgress: event => events.push(event),
		});
		assert.ok(events.length >= 1, 'at least one progress event');
		const last = events.at(-1)!;
		assert.equal(last.totalBytes, gguf.length);
		assert.equal(last.downloadedBytes, gguf.length);
		assert.ok(events.every(event => event.downloadedBytes <= event.totalBytes && event.bytesPerSecond >= 0));
		assert.deepEqual(await readFile(model.modelPath), gguf);
		assert.ok(model.modelPath.startsWith(store.modelDir('qwen-test')));
		const listed = await store.list();
		assert.deepEqual(listed.map(item => [item.id, item.name, item.role, item.sizeBytes]), [['qwen-test', 'Qwen test', 'completion', gguf.length]]);
		await store.delete('qwen-test');
		assert.deepEqual(await store.list(), []);
	});

	it('resumes after the connection is cut', async () => {
		const half = Math.floor(gguf.length / 2);
		server.files.set('/qwen.gguf', { body: gguf, cutAfterBytes: half, cuts: 1 });
		const attempt = () => downloadModel(handle.llama, store, { id: 'qwen-resume', uri: server.url('/qwen.gguf') });
		// The downloader may retry on its own; if the first attempt fails, a second one must resume.
		const model = await attempt().catch(async (error: unknown) => {
			assert.ok(error instanceof RuntimeError && error.code === 'downloadFailed', String(error));
			return attempt();
		});
		assert.deepEqual(await readFile(model.modelPath), gguf);
		const resumed = server.bodyRequests.filter(request => request.range && !/^bytes=0-/.test(request.range));
		assert.ok(resumed.length >= 1, `a Range request continued the file: ${JSON.stringify(server.requests)}`);
	});

	it('cancels through an AbortSignal, keeps nothing in the store, and resumes later', async () => {
		server.files.set('/qwen.gguf', { body: gguf, chunkDelayMs: 20 });
		const controller = new AbortController();
		const download = downloadModel(handle.llama, store, {
			id: 'qwen-cancel', uri: server.url('/qwen.gguf'), signal: controller.signal, progressIntervalMs: 1,
			onProgress: event => event.downloadedBytes > 0 && controller.abort(),
		});
		await assert.rejects(download, (error: unknown) => error instanceof RuntimeError && error.code === 'downloadCancelled');
		assert.deepEqual(await store.list(), []);
		server.files.set('/qwen.gguf', { body: gguf });
		server.requests.length = 0;
		const model = await downloadModel(handle.llama, store, { id: 'qwen-cancel', uri: server.url('/qwen.gguf') });
		assert.deepEqual(await readFile(model.modelPath), gguf);
		assert.ok(server.bodyRequests.some(request => request.range && !/^bytes=0-/.test(request.range)), `resumed: ${JSON.stringify(server.requests)}`);
	});

	it('rejects a truncated or corrupt file and keeps the model already downloaded', async () => {
		server.files.set('/qwen.gguf', { body: gguf });
		const good = await downloadModel(handle.llama, store, { id: 'qwen-keep', uri: server.url('/qwen.gguf') });

		// A server that sends a short file in full: the size matches what it announced, the GGUF header does not.
		server.files.set('/qwen.gguf', { body: gguf.subarray(0, Math.floor(gguf.length * 0.6)) });
		await assert.rejects(downloadModel(handle.llama, store, { id: 'qwen-keep', uri: server.url('/qwen.gguf') }),
			(error: unknown) => error instanceof RuntimeError && error.code === 'verificationFailed' && /incomplete|damaged/.test(error.message));
		const corrupt = Buffer.from(gguf);
		corrupt.write('XXXX', 0, 'latin1');
		server.files.set('/qwen.gguf', { body: corrupt });
		await assert.rejects(downloadModel(handle.llama, store, { id: 'qwen-keep', uri: server.url('/qwen.gguf') }),
			(error: unknown) => error instanceof RuntimeError && error.code === 'verificationFailed' && /not a GGUF/.test(error.message));

		const [kept] = await store.list();
		assert.equal(kept?.modelPath, good.modelPath);
		assert.deepEqual(await readFile(good.modelPath), gguf, 'the old model is untouched');
	});

	it('reports too little disk space before downloading any byte', async () => {
		server.files.set('/qwen.gguf', { body: gguf });
		const tooSmall = async () => 1_000;
		await assert.rejects(
			downloadModel(handle.llama, store, { id: 'qwen-disk', uri: server.url('/qwen.gguf'), expectedBytes: gguf.length, freeDiskBytes: tooSmall }),
			(error: unknown) => error instanceof RuntimeError && error.code === 'notEnoughDisk' && /free/.test(error.message) && /Models view/.test(error.action));
		assert.deepEqual(server.requests.map(request => request.range), ['bytes=0-0'], 'only the one-byte reachability probe before the check when the size is known');
		// Without a size estimate, only the metadata request happens before the check.
		await assert.rejects(downloadModel(handle.llama, store, { id: 'qwen-disk', uri: server.url('/qwen.gguf'), freeDiskBytes: tooSmall }),
			(error: unknown) => error instanceof RuntimeError && error.code === 'notEnoughDisk');
		assert.ok(server.bodyRequests.every(request => request.range === undefined || request.range === 'bytes=0-0'), JSON.stringify(server.requests));
		await writeFile(join(storageDir, 'marker'), '');
		assert.deepEqual(await store.list(), []);
	});
});
