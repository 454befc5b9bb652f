import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { ExplainImageRequest, type RuntimeErrorCode, type RuntimeErrorInfo, type RuntimeState } from '../../src/shared/protocol';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';
import { hostileArrayKey, hostileGguf, hostileGgufNames, withRenamedTensor, type HostileGgufName } from '../models/hostileGguf';
import { colours, mostlyColouredPng } from '../models/vision/pngWriter';
import { ensureVisionFixture } from '../models/vision/visionFixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const documentText = `${canonicalFim.prefix}|${canonicalFim.suffix}\n`;
const damaged = (path: string, claim: string) => `${path} has a damaged or hostile GGUF header: ${claim}.`;

/** What the runtime must say about each file, before node-llama-cpp or llama.cpp reads it. */
const expected: Record<HostileGgufName, { readonly code: RuntimeErrorCode; readonly message: (path: string) => string }> = {
	tensors2e40: { code: 'truncatedModel', message: path => damaged(path, 'it claims 1,099,511,627,776 tensors in a file of 88 bytes') },
	metadata2e40: { code: 'truncatedModel', message: path => damaged(path, 'it claims 1,099,511,627,776 metadata entries in a file of 88 bytes') },
	stringArray2e32: { code: 'truncatedModel', message: path => damaged(path, `it claims 4,294,967,296 strings for "${hostileArrayKey}" in a file of 88 bytes`) },
	magicOnly: { code: 'truncatedModel', message: path => `${path} is damaged or incomplete: its GGUF header ends after 4 bytes.` },
	hugeVersion: { code: 'invalidModel', message: path => damaged(path, 'it claims GGUF version 4,294,967,295, and llama.cpp reads versions 2 and 3 only') },
};

/**
 * The child's peak resident memory (VmHWM) in MB. Switching to a file claiming 2^40 tensors grew it
 * by 700 MB before the header check; the bounds below are for memory, and generous.
 */
async function peakRssMb(server: RuntimeServerProcess): Promise<number> {
	const status = await readFile(`/proc/${server.process.pid}/status`, 'utf8');
	const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
	assert.ok(kb > 0, 'VmHWM is readable');
	return kb / 1024;
}
/** A runtime that never loaded a model. */
const peakRssBoundMb = 250;
/** Growth allowed while a working runtime is refused a hostile file. */
const peakRssGrowthMb = 100;

async function assertCompletes(server: RuntimeServerProcess, uri: string): Promise<void> {
	const position = await server.open(uri, documentText);
	assert.equal((await server.complete(uri, position))?.items[0]?.insertText, canonicalFim.middle);
}

/** The states the server reported since `from`, as kinds, for messages. */
function kindsSince(server: RuntimeServerProcess, from: number): string {
	return server.states.slice(from).map(state => state.kind === 'ready' ? `ready(${state.model.path}${state.rejected ? ', rejected' : ''})` : state.kind).join(' → ');
}

describe('hostile GGUF files: refused at once with a clear message, and the working model keeps serving', function () {
	this.timeout(180_000);
	let dir: string;
	let qwenFim: string;
	let files: Record<HostileGgufName, string>;
	/** A sound header that llama.cpp refuses: a tensor it needs is missing under its name. */
	let loadFails: string;

	before(async () => {
		qwenFim = await ensureFixtureModel('qwenFim');
		dir = await mkdtemp(join(tmpdir(), 'bora-hostile-'));
		files = Object.fromEntries(hostileGgufNames.map(name => [name, join(dir, `${name}.gguf`)])) as Record<HostileGgufName, string>;
		for (const name of hostileGgufNames) {
			await writeFile(files[name], hostileGguf(name));
		}
		loadFails = join(dir, 'missing-tensor.gguf');
		await writeFile(loadFails, withRenamedTensor(await readFile(qwenFim)));
	});
	after(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	describe('started with it: the error state says what is wrong, and the runtime lives on', () => {
		for (const name of hostileGgufNames) {
			it(name, async () => {
				const server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: files[name], threads: 2 } });
				try {
					const state = await server.waitForState('error');
					assert.equal(state.error.message, expected[name].message(files[name]));
					assert.equal(state.error.code, expected[name].code);
					assert.match(state.error.action, /Download the model again|choose another model/);
					assert.ok(server.states.every(s => s.kind !== 'loading' || s.modelPath !== files[name] || s.progress === 0), 'llama.cpp never started on it');
					const peak = await peakRssMb(server);
					assert.ok(peak < peakRssBoundMb, `peak RSS ${peak.toFixed(0)} MB`);
					await server.configure({ modelPath: qwenFim });
					await server.waitForState('ready', ready => ready.model.path === qwenFim);
					await assertCompletes(server, `file:///workspace/${name}.js`);
				} finally {
					await server.stop();
				}
			});
		}

		it('a sound header whose load llama.cpp refuses: a message to act on, no dependency\'s words', async () => {
			const server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: loadFails, threads: 2 } });
			try {
				const state = await server.waitForState('error');
				assert.equal(state.error.code, 'loadFailed');
				assert.equal(state.error.message, `${loadFails} could not be read as a GGUF model.`);
				assert.match(state.error.action, /damaged, incomplete or made for a newer llama\.cpp/);
				// The details are in the log for whoever looks.
				await server.waitForLog(line => line.includes(`Loading ${loadFails} failed`));
			} finally {
				await server.stop();
			}
		});
	});

	describe('switched to from a working model (qwenFim)', () => {
		let server: RuntimeServerProcess;
		let peakServing: number;

		before(async () => {
			server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: qwenFim, threads: 2 } });
			await server.waitForState('ready', ready => ready.model.path === qwenFim);
			await assertCompletes(server, 'file:///workspace/first.js');
			peakServing = await peakRssMb(server);
		});
		after(async () => {
			await server.stop();
		});

		for (const name of hostileGgufNames) {
			it(`${name}: stays ready on qwenFim with the file rejected, and completes`, async () => {
				const from = server.states.length;
				await server.configure({ modelPath: files[name] });
				const state = await server.waitForState('ready', ready => ready.rejected?.modelPath === files[name]);
				assert.equal(state.model.path, qwenFim);
				assert.equal(state.rejected?.error.message, expected[name].message(files[name]));
				assert.equal(state.rejected?.error.code, expected[name].code);
				assert.ok(server.states.slice(from).every(s => s.kind === 'ready'), `never left ready: ${kindsSince(server, from)}`);
				await assertCompletes(server, `file:///workspace/after-${name}.js`);
				const peak = await peakRssMb(server);
				assert.ok(peak - peakServing < peakRssGrowthMb, `peak RSS ${peak.toFixed(0)} MB, ${peakServing.toFixed(0)} MB before the hostile files`);
			});
		}

		it('a sound header whose load llama.cpp refuses: qwenFim is loaded again, serves, and the state says why', async () => {
			const from = server.states.length;
			await server.configure({ modelPath: loadFails });
			const state = await server.waitForState('ready', ready => ready.rejected?.modelPath === loadFails);
			assert.equal(state.model.path, qwenFim);
			assert.equal(state.rejected?.error.code, 'loadFailed');
			assert.equal(state.rejected?.error.message, `${loadFails} could not be read as a GGUF model.`);
			// The old model was unloaded for the new one, whose load failed; then qwenFim loaded again.
			const loads = server.states.slice(from).filter((s): s is Extract<RuntimeState, { kind: 'loading' }> => s.kind === 'loading' && s.progress === 0).map(s => s.modelPath);
			assert.deepEqual(loads, [loadFails, qwenFim], kindsSince(server, from));
			assert.ok(!server.states.slice(from).some(s => s.kind === 'error'), `no error state in between: ${kindsSince(server, from)}`);
			await assertCompletes(server, 'file:///workspace/after-load-failure.js');
		});

		it('a settings push that changes nothing about that load keeps qwenFim without unloading it; the replaced file loads', async () => {
			const from = server.states.length;
			await server.configure({ maxSuffixCharsOnLine: 77 });
			await server.roundTrip();
			await assertCompletes(server, 'file:///workspace/after-push.js');
			assert.ok(server.states.slice(from).every(s => s.kind === 'ready' && s.model.path === qwenFim), `nothing reloaded: ${kindsSince(server, from)}`);
			// The file is replaced (the download finished): the same settings now load it.
			await writeFile(loadFails, await readFile(qwenFim));
			await server.configure({ maxSuffixCharsOnLine: 78 });
			const state = await server.waitForState('ready', ready => ready.model.path === loadFails);
			assert.equal(state.rejected, undefined);
			await assertCompletes(server, 'file:///workspace/after-fix.js');
		});
	});

	it('a vision projector (mmproj) claiming 2^40 tensors: the image question gets the message, completion keeps serving', async () => {
		const [fim, vision] = await Promise.all([ensureFixtureModel('mistral4Fim'), ensureVisionFixture()]);
		const mmproj = files.tensors2e40;
		const server = await RuntimeServerProcess.start({ args: ['--model', fim, '--chatModelPath', vision.modelPath, '--mmprojPath', mmproj, '--threads', '2'] });
		try {
			await server.waitForState('ready');
			const image = join(dir, 'red.png');
			await writeFile(image, mostlyColouredPng(colours.red));
			const error = await server.connection.sendRequest(ExplainImageRequest.type, { chatId: 'v', imagePath: image }).then(() => undefined, (e: unknown) => e);
			assert.ok(error instanceof ResponseError, `expected a ResponseError, got ${String(error)}`);
			const info = error.data as RuntimeErrorInfo;
			assert.equal(info.message, expected.tensors2e40.message(mmproj));
			assert.equal(info.code, 'truncatedModel');
			await assertCompletes(server, 'file:///workspace/after-mmproj.js');
		} finally {
			await server.stop();
		}
	});
});
