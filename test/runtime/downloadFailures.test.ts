import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLlama, downloadModel, ModelStore, RuntimeError, type DownloadModelOptions, type DownloadProgress, type LlamaHandle, type Logger } from '../../src/runtime';
import { ensureFixtureModel } from '../models/fixtures';
import { ModelFileServer } from '../support/ModelFileServer';

const MiB = 1024 * 1024;
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/**
 * Downloads that fail, through node-llama-cpp's real downloader against a local server: each ends
 * promptly (the test's own timeout is far below the minutes the downloader would retry) with a
 * typed `downloadFailed` and its reason, keeps what arrived, and the next attempt resumes.
 */
describe('download failures (local HTTP server on 127.0.0.1)', function () {
	this.timeout(30_000);
	let handle: LlamaHandle;
	let server: ModelFileServer;
	let gguf: Buffer;
	let storageDir: string;
	let store: ModelStore;
	let log: string[];
	const logger: Logger = { info: line => log.push(`info ${line}`), warn: line => log.push(`warn ${line}`), error: line => log.push(`error ${line}`) };

	const download = (options: Partial<DownloadModelOptions> & Pick<DownloadModelOptions, 'uri'>) =>
		downloadModel(handle.llama, store, { id: 'fixture', name: 'Fixture', stallTimeoutMs: 1_000, logger, ...options });
	const failure = async (attempt: Promise<unknown>): Promise<RuntimeError> => {
		const error = await attempt.then(() => undefined, (caught: unknown) => caught);
		assert.ok(error instanceof RuntimeError, `a RuntimeError, not ${String(error)}`);
		return error;
	};
	const partialBytes = async (id = 'fixture'): Promise<number> => {
		const dir = store.partialDir(id);
		const names = await readdir(dir).catch(() => [] as string[]);
		const sizes = await Promise.all(names.map(async name => (await stat(join(dir, name))).size));
		return sizes.reduce((sum, size) => sum + size, 0);
	};

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
		storageDir = await mkdtemp(join(tmpdir(), 'bora-download-failures-'));
		store = new ModelStore(storageDir);
		server.reset();
		log = [];
	});
	afterEach(() => rm(storageDir, { recursive: true, force: true }));

	it('a host name that does not resolve ends at once: "cannot resolve", with the attempt in the log', async () => {
		const uri = 'http://bora-test.invalid/model.gguf';
		const error = await failure(download({ uri }));
		assert.equal(error.code, 'downloadFailed');
		assert.match(error.message, /cannot resolve bora-test\.invalid/);
		assert.match(error.action, /Retry/);
		assert.deepEqual(await store.list(), []);
		assert.ok(log.some(line => line.startsWith('info Downloading Fixture from http://bora-test.invalid/model.gguf')), log.join('\n'));
		assert.ok(log.some(line => line.startsWith('warn ') && line.includes(uri) && /failed before any byte/.test(line) && /cannot resolve/.test(line)), log.join('\n'));
	});

	it('a refused port ends at once: "connection refused by 127.0.0.1:<port>"', async () => {
		const port = await ModelFileServer.refusedPort();
		const error = await failure(download({ uri: `http://127.0.0.1:${port}/model.gguf` }));
		assert.equal(error.code, 'downloadFailed');
		assert.match(error.message, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
	});

	it('a 404 or a 500 ends at once with the status and the address, before any body request', async () => {
		const missing = server.url('/missing.gguf');
		const notFound = await failure(download({ uri: missing }));
		assert.equal(notFound.code, 'downloadFailed');
		assert.ok(notFound.message.includes(`the server answered 404 Not Found for ${missing}`), notFound.message);
		assert.match(notFound.action, /address/);

		// The downloader would retry a 5xx 150 times with back-off.
		server.files.set('/broken.gguf', { body: gguf, status: 500 });
		const broken = await failure(download({ uri: server.url('/broken.gguf') }));
		assert.equal(broken.code, 'downloadFailed');
		assert.match(broken.message, /the server answered 500 Internal Server Error for http:\/\/127\.0\.0\.1:\d+\/broken\.gguf/);
		assert.match(broken.action, /network connection.*Retry/);
		assert.deepEqual(server.requests.map(request => request.range), ['bytes=0-0', 'bytes=0-0'], 'one probe each, nothing more');
	});

	it('a server that stops sending mid-body ends after the stall limit; the partial file stays and the retry resumes with a Range request', async () => {
		server.files.set('/m.gguf', { body: gguf, stallAfterBytes: 6 * MiB, stalls: 1 });
		const error = await failure(download({ uri: server.url('/m.gguf') }));
		assert.equal(error.code, 'downloadFailed');
		assert.match(error.message, /The download of Fixture stopped at .+ of .+: no data from the server for 1 s\./);
		assert.match(error.action, /Retry/);
		assert.equal(server.faults.length, 1);
		const kept = await partialBytes();
		assert.ok(kept > 0, 'the partial file is kept');
		assert.ok(log.some(line => line.startsWith('warn ') && /failed at [\d.]+ [kMG]?B of [\d.]+ MB/.test(line) && /no data from the server for 1 s/.test(line)), log.join('\n'));

		const firstRetryRequest = server.requests.length;
		log = [];
		const model = await download({ uri: server.url('/m.gguf') });
		assert.deepEqual(await readFile(model.modelPath), gguf);
		const retried = server.requests.slice(firstRetryRequest).filter(request => request.method === 'GET' && request.range && request.range !== 'bytes=0-0');
		assert.ok(retried.some(request => !/^bytes=0-/.test(request.range ?? '')), `a Range request continued the file: ${JSON.stringify(retried)}`);
		const fetched = sum(retried.map(request => request.sentBytes));
		assert.ok(fetched < gguf.length, `the retry fetched only what was missing (${fetched} of ${gguf.length} bytes): ${JSON.stringify(server.requests)}`);
		assert.ok(log.some(line => /^info Downloading Fixture from .* \(resuming the partial download in /.test(line)), log.join('\n'));
		assert.ok(log.some(line => line.startsWith('info Downloaded Fixture')), log.join('\n'));
	});

	it('a connection reset mid-body is retried by the downloader, which resumes that part, and the download completes', async () => {
		server.files.set('/m.gguf', { body: gguf, resetAfterBytes: 1 * MiB, resets: 1 });
		const model = await download({ uri: server.url('/m.gguf') });
		assert.deepEqual(await readFile(model.modelPath), gguf);
		const [fault] = server.faults;
		assert.equal(fault?.kind, 'reset');
		const start = Number(/^bytes=(\d+)-/.exec(fault.range)?.[1]);
		const again = server.bodyRequests.filter(request => request.range && Number(/^bytes=(\d+)-/.exec(request.range)?.[1]) === start);
		assert.ok(again.length >= 2, `the reset part was asked for again: ${JSON.stringify(server.requests)}`);
		// ipull asks again from the start of the broken 5 MiB chunk, not of the file.
		const fetched = sum(server.bodyRequests.filter(request => request.range && request.range !== 'bytes=0-0').map(request => request.sentBytes));
		assert.ok(fetched < gguf.length + 6 * MiB, `not restarted from the beginning: ${fetched} bytes for ${gguf.length}: ${JSON.stringify(server.requests)}`);
	});

	it('a reset after which the server is gone ends after the stall limit with the reason: "connection refused by …"', async () => {
		const gone = new ModelFileServer();
		await gone.start();
		try {
			gone.files.set('/m.gguf', { body: gguf, resetAfterBytes: 6 * MiB, resets: 1, afterFault: () => void gone.stop() });
			const error = await failure(download({ uri: gone.url('/m.gguf') }));
			assert.equal(error.code, 'downloadFailed');
			assert.match(error.message, /The download of Fixture stopped at .+: connection refused by 127\.0\.0\.1:\d+\./);
			assert.ok(await partialBytes() > 0, 'the partial file is kept');
		} finally {
			await gone.stop();
		}
		// This machine's downloads still work.
		server.files.set('/m.gguf', { body: gguf });
		const model = await download({ uri: server.url('/m.gguf') });
		assert.deepEqual(await readFile(model.modelPath), gguf);
	});

	it('a cancel while the downloader retries a server that is gone ends the download at once, keeping the partial file', async () => {
		const gone = new ModelFileServer();
		await gone.start();
		const controller = new AbortController();
		try {
			gone.files.set('/m.gguf', {
				body: gguf, resetAfterBytes: 6 * MiB, resets: 1,
				afterFault: () => void gone.stop().then(() => setTimeout(() => controller.abort(), 200)),
			});
			// A stall limit longer than this test's timeout: only the cancel can end it.
			const error = await failure(download({ uri: gone.url('/m.gguf'), stallTimeoutMs: 120_000, signal: controller.signal }));
			assert.equal(error.code, 'downloadCancelled');
			assert.ok(await partialBytes() > 0, 'the partial file is kept');
			assert.ok(log.some(line => /^warn The download of Fixture .* was cancelled/.test(line)), log.join('\n'));
		} finally {
			await gone.stop();
		}
	});

	it('a slow server: progress carries bytes, speed and time left', async () => {
		server.files.set('/m.gguf', { body: gguf, chunkBytes: 256 * 1024, chunkDelayMs: 30 });
		const events: DownloadProgress[] = [];
		await download({ uri: server.url('/m.gguf'), progressIntervalMs: 50, onProgress: event => events.push(event) });
		const midway = events.filter(event => event.downloadedBytes > 0 && event.downloadedBytes < gguf.length);
		assert.ok(midway.length >= 2, `several events midway: ${JSON.stringify(events)}`);
		assert.ok(midway.every(event => event.totalBytes === gguf.length));
		assert.ok(midway.some(event => event.bytesPerSecond > 0 && event.secondsLeft !== undefined && event.secondsLeft >= 0), JSON.stringify(midway));
		assert.ok(midway.every((event, index) => index === 0 || event.downloadedBytes >= midway[index - 1]!.downloadedBytes), 'bytes only grow');
	});
});
