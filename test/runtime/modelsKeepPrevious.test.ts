import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime, defaultRuntimeSettings, type RuntimeState } from '../../src/runtime';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';

describe('a bad new model keeps the previous one active', function () {
	this.timeout(120_000);
	let runtime: Runtime;
	let dir: string;
	let good: string;
	const states: RuntimeState[] = [];

	before(async () => {
		good = await ensureFixtureModel('qwenFim');
		dir = await mkdtemp(join(tmpdir(), 'bora-keep-'));
		runtime = new Runtime();
		runtime.onDidChangeState(state => states.push(state));
		await runtime.configure({ ...defaultRuntimeSettings, modelPath: good, gpu: 'off', threads: 1 });
		assert.equal(runtime.state.kind, 'ready');
	});
	after(async () => {
		await runtime.dispose();
		await rm(dir, { recursive: true, force: true });
	});

	const cases: Array<[string, () => Promise<string>, string]> = [
		['a truncated download', async () => {
			const path = join(dir, 'truncated.gguf');
			const bytes = await readFile(good);
			await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
			return path;
		}, 'truncatedModel'],
		['a file that is not GGUF', async () => {
			const path = join(dir, 'notes.gguf');
			await writeFile(path, 'this is not a model');
			return path;
		}, 'invalidModel'],
		['a missing file', async () => join(dir, 'missing.gguf'), 'modelNotFound'],
	];

	for (const [what, make, code] of cases) {
		it(`${what}: stays ready on the old model, reports the rejected file, still completes`, async () => {
			const bad = await make();
			states.length = 0;
			await runtime.configure({ ...defaultRuntimeSettings, modelPath: bad, gpu: 'off', threads: 1 });
			const state = runtime.state;
			assert.equal(state.kind, 'ready');
			assert.equal(state.model.path, good);
			assert.equal(state.rejected?.modelPath, bad);
			assert.equal(state.rejected?.error.code, code);
			assert.ok(state.rejected!.error.action.length > 10);
			assert.ok(states.every(s => s.kind === 'ready'), `never left ready: ${states.map(s => s.kind).join(',')}`);
			const result = await runtime.complete({ prefix: canonicalFim.prefix, suffix: canonicalFim.suffix });
			assert.equal(result.text, canonicalFim.middle);
		});
	}

	it('loads the file once it is fixed, and a good new file replaces the old model', async () => {
		const path = join(dir, 'fixed.gguf');
		await writeFile(path, 'not yet');
		await runtime.configure({ ...defaultRuntimeSettings, modelPath: path, gpu: 'off', threads: 1 });
		assert.equal(runtime.state.kind === 'ready' && runtime.state.rejected?.modelPath, path);
		await writeFile(path, await readFile(good));
		await runtime.configure({ ...defaultRuntimeSettings, modelPath: path, gpu: 'off', threads: 1 });
		const state = runtime.state;
		assert.equal(state.kind, 'ready');
		assert.equal(state.model.path, path);
		assert.equal(state.rejected, undefined);
	});
});
