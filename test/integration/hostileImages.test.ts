import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ExplainImageRequest, type ExplainImageParams } from '../../src/shared/protocol';
import { runtimeThreadPoolSize } from '../../src/shared/runtimeThreadPool';
import { pngRawSize, type PngHeader } from '../../src/runtime';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';
import { colours, mostlyColouredPng } from '../models/vision/pngWriter';
import { ensureVisionFixture } from '../models/vision/visionFixtures';
import { jpegWithScans, pngBomb, pngWithRawSize } from '../support/pngBuilder';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';
import { rejectsWithResponseError } from '../support/rejectsWith';

const mib = 1024 * 1024;

/** Resident and peak resident memory of a process, in bytes, from /proc/PID/status. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
	const status = await readFile(`/proc/${pid}/status`, 'utf8');
	const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
	return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

describe('hostile images through a spawned runtime: bombs, FIFOs and directories are refused, and completion keeps serving', function () {
	this.timeout(180_000);
	let server: RuntimeServerProcess;
	let dir: string;
	let completions = 0;
	const explain = (params: Omit<ExplainImageParams, 'chatId'>) => server.connection.sendRequest(ExplainImageRequest.type, { chatId: 'hostile', ...params });

	/** A completion after (or during) hostile input must still return the canonical middle. */
	async function assertCompletes(): Promise<void> {
		const uri = `file:///workspace/after-${++completions}.js`;
		const position = await server.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
		assert.equal((await server.complete(uri, position))?.items[0]?.insertText, canonicalFim.middle);
	}

	before(async () => {
		dir = await mkdtemp(join(tmpdir(), 'bora-hostile-images-'));
		const [fim, vision] = await Promise.all([ensureFixtureModel('mistral4Fim'), ensureVisionFixture()]);
		server = await RuntimeServerProcess.start({ args: ['--model', fim, '--chatModelPath', vision.modelPath, '--mmprojPath', vision.mmprojPath, '--threads', '2'] });
		await server.waitForState('ready');
		// One real image first: the chat model and projector are loaded before anything is measured.
		const warm = await explain({ base64: mostlyColouredPng(colours.red).toString('base64'), mime: 'image/png' });
		assert.deepEqual([warm.imageWidth, warm.imageHeight], [64, 64]);
	});
	after(async () => {
		await server?.stop();
		await rm(dir, { recursive: true, force: true });
	});

	it(`runs with ${runtimeThreadPoolSize} threads in libuv's pool (UV_THREADPOOL_SIZE in the spawn env, as the extension starts it)`, () => {
		// libuv starts the whole pool at once; Node's main thread and its 4 V8 workers come on top
		// (with libuv's default of 4 the runtime has about a dozen threads).
		const threads = readdirSync(`/proc/${server.process.pid}/task`).length;
		assert.ok(threads >= runtimeThreadPoolSize + 5, `${threads} threads`);
	});

	it('a 64×64 PNG whose IDAT inflates to 1 GiB is refused as a bomb, without the runtime\'s memory growing by anything near it', async () => {
		const bomb = await pngBomb({ width: 64, height: 64, inflatedBytes: 1024 * mib });
		const path = join(dir, 'bomb.png');
		await writeFile(path, bomb);
		const pid = server.process.pid!;
		// Writing 5 to clear_refs resets the peak (VmHWM) to the current RSS.
		await writeFile(`/proc/${pid}/clear_refs`, '5');
		const before = await memoryOf(pid);
		const bombMessage = /^The PNG's compressed data inflates to more than its 64×64 pixels need \(a decompression bomb\?\)\.$/;
		await assert.rejects(explain({ imagePath: path }), rejectsWithResponseError('badImage', bombMessage));
		await assert.rejects(explain({ base64: bomb.toString('base64'), mime: 'image/png' }), rejectsWithResponseError('badImage', bombMessage));
		const after = await memoryOf(pid);
		// Reading the 4.5 MB file and its base64 copy costs tens of MB; decoding the bomb would cost 1 GiB and more.
		const growth = after.peak - before.rss;
		assert.ok(growth < 256 * mib, `peak RSS grew by ${Math.round(growth / mib)} MiB (file ${(bomb.length / mib).toFixed(1)} MiB)`);
		console.log(`      bomb: ${(bomb.length / mib).toFixed(1)} MiB file, 1024 MiB inflated; runtime peak RSS ${Math.round(before.rss / mib)} → ${Math.round(after.peak / mib)} MiB`);
		await assertCompletes();
	});

	it('PNGs whose IDAT is exactly the size IHDR implies, interlaced or not, reach stb_image, which decodes them, and one byte less it refuses', async () => {
		for (const interlaced of [false, true]) {
			const header: PngHeader = { width: 64, height: 48, bitDepth: 8, colourType: 2, interlaced };
			const exact = await explain({ base64: pngWithRawSize(header, pngRawSize(header), 0).toString('base64'), mime: 'image/png' });
			assert.deepEqual([exact.imageWidth, exact.imageHeight], [64, 48], `interlaced: ${interlaced}`);
			await assert.rejects(explain({ base64: pngWithRawSize(header, pngRawSize(header) - 1, 0).toString('base64'), mime: 'image/png' }), rejectsWithResponseError('badImage', /could not be read/));
		}
		await assertCompletes();
	});

	it('a progressive JPEG with 5000 scans (a decoding-time bomb) is refused before stb_image sees it', async () => {
		const path = join(dir, 'scans.jpg');
		await writeFile(path, jpegWithScans(5000, { width: 8000, height: 8000 }));
		await assert.rejects(explain({ imagePath: path }), rejectsWithResponseError('badImage', /^The JPEG has 5000 scans; at most 100 are accepted/));
		await assertCompletes();
	});

	it('six image requests on FIFOs without a writer are each refused at once, and a completion sent meanwhile is answered', async () => {
		const fifos = Array.from({ length: 6 }, (_, i) => join(dir, `pipe-${i}.png`));
		await Promise.all(fifos.map(fifo => promisify(execFile)('mkfifo', [fifo])));
		// No writer ever opens them: a runtime that waited for one would never answer.
		const refusals = fifos.map(fifo => assert.rejects(explain({ imagePath: fifo }), rejectsWithResponseError('badImage', /is a named pipe \(FIFO\), not a regular file\./)));
		await Promise.all([...refusals, assertCompletes()]);
		await assertCompletes();
	});

	it('a directory as image path is a badImage error, not a success with an empty answer', async () => {
		const folder = join(dir, 'screenshots.png');
		await mkdir(folder);
		await assert.rejects(explain({ imagePath: folder }), rejectsWithResponseError('badImage', /screenshots\.png is a directory, not a regular file\./));
		await assert.rejects(explain({ imagePath: '/dev/zero' }), rejectsWithResponseError('badImage', /is a character device, not a regular file\./));
		await assertCompletes();
	});
});
