import assert from 'node:assert/strict';
import { defaultRuntimeSettings } from '../../src/shared/protocol';
import { mergeSettings } from '../../src/shared/mergeSettings';
import { parseCommandLine } from '../../src/shared/parseCommandLine';

describe('runtime settings', () => {
	it('the command line takes --model and the initialization option keys', () => {
		assert.deepEqual(parseCommandLine(['--stdio', '--model', '/m/a.gguf', '--threads=3', '--gpu', 'off', '--completionEnabled', 'false']), {
			settings: { modelPath: '/m/a.gguf', threads: 3, gpu: 'off', completionEnabled: false },
		});
		assert.deepEqual(parseCommandLine(['--node-ipc', '--clientProcessId', '42', '--modelPath=/x.gguf']), { settings: { modelPath: '/x.gguf' } });
	});

	it('bad command lines get a message that names the fix', () => {
		assert.deepEqual(parseCommandLine(['--threads', '-1']), { error: '--threads must be a whole number ≥ 0, got "-1".' });
		assert.deepEqual(parseCommandLine(['--model']), { error: 'Option --model needs a value.' });
		assert.match((parseCommandLine(['--modle', 'x']) as { error: string }).error, /^Unknown option --modle\. Options: --model PATH/);
	});

	it('merging ignores unknown keys and wrongly typed values', () => {
		const merged = mergeSettings(defaultRuntimeSettings, { modelPath: '/a.gguf', threads: 'many', gpu: 'sometimes', completionEnabled: false, other: 1 });
		assert.deepEqual(merged, { ...defaultRuntimeSettings, modelPath: '/a.gguf', completionEnabled: false });
		assert.deepEqual(mergeSettings(merged, null), merged);
	});

	it('context size, GPU layers and the storage folder come from the command line, with checked values', () => {
		assert.deepEqual(parseCommandLine(['--contextSize', '2048', '--gpuLayers=0', '--storageDir', '/tmp/bora']), {
			settings: { contextSize: 2048, gpuLayers: 0, storageDir: '/tmp/bora' },
		});
		assert.deepEqual(parseCommandLine(['--contextSize', '0', '--gpuLayers', '-1']), { settings: { contextSize: 0, gpuLayers: -1 } });
		assert.match((parseCommandLine(['--contextSize', '100']) as { error: string }).error, /^--contextSize must be 0 \(automatic\)/);
		assert.match((parseCommandLine(['--contextSize', '1.5k']) as { error: string }).error, /^--contextSize must be/);
		assert.match((parseCommandLine(['--gpuLayers', '-2']) as { error: string }).error, /^--gpuLayers must be -1 \(automatic\), 0 \(CPU only\)/);
	});

	it('completion mode and candidates merge from flat keys or the bora section, and come from the command line checked', () => {
		assert.equal(defaultRuntimeSettings.completionMode, 'auto');
		assert.equal(defaultRuntimeSettings.completionCandidates, 3);
		const merged = mergeSettings(defaultRuntimeSettings, { completionMode: 'chat', completionCandidates: 1 });
		assert.deepEqual([merged.completionMode, merged.completionCandidates], ['chat', 1]);
		const kept = mergeSettings(merged, { completionMode: 'fast', completionCandidates: 9 });
		assert.deepEqual([kept.completionMode, kept.completionCandidates], ['chat', 1]);
		const nested = mergeSettings(defaultRuntimeSettings, { bora: { completion: { mode: 'fim', candidates: 2 } } });
		assert.deepEqual([nested.completionMode, nested.completionCandidates], ['fim', 2]);
		assert.deepEqual(parseCommandLine(['--completionMode', 'chat', '--completionCandidates=1']), { settings: { completionMode: 'chat', completionCandidates: 1 } });
		assert.match((parseCommandLine(['--completionMode', 'x']) as { error: string }).error, /^--completionMode must be auto, fim or chat/);
		assert.match((parseCommandLine(['--completionCandidates', '0']) as { error: string }).error, /^--completionCandidates must be a whole number from 1 to 5/);
	});

	it('context size and GPU layers merge when valid and keep the current value otherwise', () => {
		assert.equal(defaultRuntimeSettings.contextSize, 0);
		assert.equal(defaultRuntimeSettings.gpuLayers, -1);
		const merged = mergeSettings(defaultRuntimeSettings, { contextSize: 1024, gpuLayers: 12, storageDir: '/s' });
		assert.deepEqual({ contextSize: merged.contextSize, gpuLayers: merged.gpuLayers, storageDir: merged.storageDir }, { contextSize: 1024, gpuLayers: 12, storageDir: '/s' });
		const kept = mergeSettings(merged, { contextSize: 10, gpuLayers: -5 });
		assert.deepEqual({ contextSize: kept.contextSize, gpuLayers: kept.gpuLayers }, { contextSize: 1024, gpuLayers: 12 });
		assert.deepEqual(mergeSettings(merged, { contextSize: 'big', gpuLayers: 2.5 }).gpuLayers, 12);
		assert.equal(mergeSettings(defaultRuntimeSettings, { bora: { gpuLayers: 0, contextSize: 0 } }).gpuLayers, 0);
	});

	it('editors that push their whole configuration nest it under "bora"', () => {
		assert.equal(mergeSettings(defaultRuntimeSettings, { bora: { modelPath: '/b.gguf' }, editor: {} }).modelPath, '/b.gguf');
	});
});
