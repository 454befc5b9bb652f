import assert from 'node:assert/strict';
import { defaultRuntimeSettings } from '../../src/lsp/protocol';
import { mergeSettings, parseCommandLine } from '../../src/lsp/settings';

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

	it('editors that push their whole configuration nest it under "bora"', () => {
		assert.equal(mergeSettings(defaultRuntimeSettings, { bora: { modelPath: '/b.gguf' }, editor: {} }).modelPath, '/b.gguf');
	});
});
