import assert from 'node:assert/strict';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { ExplainImageRequest } from '../../src/shared/protocol';
import { ensureFixtureModel } from '../models/fixtures';
import { colours, mostlyColouredPng } from '../models/vision/pngWriter';
import { ensureVisionFixture, visionAnswers } from '../models/vision/visionFixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

/** llama.cpp's line for each load of a GGUF's weights (llama_model_loader), forwarded at debug level. */
const loadLine = /llama_model_loader: loaded meta data with \d+ key-value pairs and \d+ tensors from (.+?) \(version/;

function loadsOf(server: RuntimeServerProcess, path: string): number {
	return server.logs.filter(line => loadLine.exec(line)?.[1] === path).length;
}

/** Resident memory of a process, from /proc (kB figures turned into bytes). */
function resident(pid: number): { rss: number; anon: number; file: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
	return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

/** How many times `path` is mapped into a process, and the resident bytes of those mappings (/proc/PID/smaps). */
function mappingsOf(pid: number, path: string): { count: number; residentBytes: number } {
	const mapped = realpathSync(path);
	let count = 0;
	let residentBytes = 0;
	let inside = false;
	for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
		const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
		if (header) {
			inside = header[1] === mapped;
			count += inside ? 1 : 0;
		} else if (inside && line.startsWith('Rss:')) {
			residentBytes += Number(/(\d+) kB/.exec(line)?.[1] ?? 0) * 1024;
		}
	}
	return { count, residentBytes };
}

/**
 * The buffers llama.cpp reported (in MiB) in these log lines: the KV cache, the output and compute
 * buffers of the context the image question made on the shared model, and the image encoder's
 * compute buffers (Bora's vision log line, from clip's).
 */
function reportedBufferBytes(lines: readonly string[]): number {
	let mib = 0;
	for (const line of lines) {
		const match = /(?:KV buffer size|output buffer size|compute buffer size|image encoder compute buffers)\s*=?\s*([\d.]+) MiB/.exec(line);
		if (match) mib += Number(match[1]);
	}
	return mib * 1024 * 1024;
}

describe('images share the chat model\'s weights (spawned runtime, llama.cpp log at debug level)', function () {
	this.timeout(180_000);
	const env = { ...process.env, BORA_LLAMA_LOG: 'debug' };
	let server: RuntimeServerProcess | undefined;

	afterEach(async () => {
		await server?.stop();
		server = undefined;
	});

	it('completion, chat and an image question on one model: llama.cpp loads the file once, and the first image adds at most the projector and its context', async () => {
		const { modelPath, mmprojPath } = await ensureVisionFixture();
		server = await RuntimeServerProcess.start({ env, args: ['--model', modelPath, '--mmprojPath', mmprojPath, '--threads', '2'] });
		await server.waitForState('ready');
		const uri = 'file:///workspace/shared.js';
		await server.complete(uri, await server.open(uri, 'const colour = |\n'));
		await server.chat({ chatId: 'c', history: [], message: 'Which colour?', effort: 'off' });
		assert.equal(loadsOf(server, modelPath), 1, 'one load before the image');

		const pid = server.process.pid;
		assert.ok(pid !== undefined);
		const before = resident(pid);
		assert.equal(mappingsOf(pid, modelPath).count, 1, 'llama.cpp maps the GGUF once');
		const logged = server.logs.length;
		const result = await server.connection.sendRequest(ExplainImageRequest.type, { chatId: 'img', base64: mostlyColouredPng(colours.red).toString('base64'), mime: 'image/png' });
		assert.equal(result.answer, visionAnswers.red);
		const after = resident(pid);

		assert.equal(loadsOf(server, modelPath), 1, `the image question loaded ${modelPath} again:\n${server.logs.filter(line => loadLine.test(line)).join('\n')}`);
		const imageLog = server.logs.slice(logged);
		assert.ok(imageLog.some(line => line.includes('vision: image encoder on CPU; text model shared with chat')), imageLog.join('\n'));
		assert.equal(mappingsOf(pid, modelPath).count, 1, 'the image question mapped the GGUF again');
		// Mapped pages count as resident: a second load of the file would add up to its whole size here.
		assert.ok(after.file - before.file < statSync(modelPath).size / 2, `file-backed resident memory grew by ${after.file - before.file} bytes`);
		const allowed = statSync(mmprojPath).size + reportedBufferBytes(imageLog);
		const grown = after.rss - before.rss;
		if (process.env['BORA_TEST_PRINT']) console.log({ grown, allowed, before, after, lines: imageLog.filter(line => reportedBufferBytes([line]) > 0) });
		assert.ok(allowed > 0 && grown <= allowed,
			`resident memory grew by ${(grown / 1024 / 1024).toFixed(2)} MiB on the first image; projector + its context: ${(allowed / 1024 / 1024).toFixed(2)} MiB (model file: ${(statSync(modelPath).size / 1024 / 1024).toFixed(2)} MiB; before ${JSON.stringify(before)}, after ${JSON.stringify(after)})`);
	});

	it('a separate chat model loaded by the image question is the one chat then uses (one load), and is freed with the vision context first', async () => {
		const [completionModel, { modelPath, mmprojPath }] = await Promise.all([ensureFixtureModel('mistral4Fim'), ensureVisionFixture()]);
		server = await RuntimeServerProcess.start({ env, args: ['--model', completionModel, '--chatModelPath', modelPath, '--mmprojPath', mmprojPath, '--threads', '2'] });
		await server.waitForState('ready');
		assert.equal(loadsOf(server, modelPath), 0, 'the chat model loads on first use');
		const image = await server.connection.sendRequest(ExplainImageRequest.type, { chatId: 'img', base64: mostlyColouredPng(colours.blue).toString('base64'), mime: 'image/png' });
		assert.equal(image.answer, visionAnswers.blue);
		await server.chat({ chatId: 'c', history: [], message: 'And now?', effort: 'off' });
		assert.equal(loadsOf(server, modelPath), 1);

		// Another chat model: the vision context on the old one is freed before node-llama-cpp frees it.
		const other = await ensureFixtureModel('mistral4Chat');
		await server.configure({ chatModelPath: other });
		await server.waitForLog(line => line.includes('vision: projector and its context freed'));
		const chat = await server.chat({ chatId: 'c2', history: [], message: 'Still there?', effort: 'off' });
		assert.equal(typeof chat.answer, 'string');
		assert.equal(loadsOf(server, other), 1);
		assert.equal(loadsOf(server, modelPath), 1);
	});
});
