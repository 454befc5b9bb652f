import assert from 'node:assert/strict';
import { defaultRuntimeSettings } from '../../src/shared/protocol';
import { mergeSettings } from '../../src/shared/mergeSettings';
import { parseCommandLine } from '../../src/shared/parseCommandLine';
import { isSettingValue, runtimeEntries, type SettingSpec } from '../../src/shared/settings';
import type { RuntimeSettings } from '../../src/shared/types';

/** A valid value other than the default. */
function otherValue(spec: SettingSpec): string | number | boolean | readonly string[] {
	switch (spec.type) {
		case 'string':
			return spec.pattern !== undefined ? 'all' : '/other/value';
		case 'stringList':
			return ['**/other/*.value'];
		case 'boolean':
			return !spec.default;
		case 'enum':
			return spec.values.find(value => value !== spec.default)!;
		case 'integer':
			return [spec.maximum, spec.usableFrom, spec.default + 1].find(value => value !== undefined && value !== spec.default && isSettingValue(spec, value))!;
		default:
			void (spec satisfies never);
			throw new Error('unknown setting type');
	}
}

/** Values of the wrong type or outside the limits. */
function badValues(spec: SettingSpec): readonly unknown[] {
	switch (spec.type) {
		case 'string':
			return [42, null, ['/a']];
		case 'stringList':
			return ['**/*.a', [1], [null], null, { 0: 'a' }];
		case 'boolean':
			return ['true', 1, null];
		case 'enum':
			return ['nonsense', 0, spec.values];
		case 'integer':
			return [
				String(spec.default), 1.5, spec.minimum - 1, Number.NaN,
				...(spec.maximum !== undefined ? [spec.maximum + 1] : []),
				...(spec.usableFrom !== undefined ? [spec.usableFrom - 1] : []),
			];
		default:
			void (spec satisfies never);
			throw new Error('unknown setting type');
	}
}

/** `{ a: { b: value } }` for `['a', 'b']`. */
function nested(path: readonly string[], value: unknown): unknown {
	return path.reduceRight<unknown>((inner, name) => ({ [name]: inner }), value);
}

describe('runtime settings', () => {
	it('the command line takes --model and the initialization option keys', () => {
		assert.deepEqual(parseCommandLine(['--stdio', '--model', '/m/a.gguf', '--threads=3', '--gpu', 'off', '--completionEnabled', 'false']), {
			settings: { modelPath: '/m/a.gguf', threads: 3, gpu: 'off', completionEnabled: false },
		});
		assert.deepEqual(parseCommandLine(['--node-ipc', '--clientProcessId', '42', '--modelPath=/x.gguf']), { settings: { modelPath: '/x.gguf' } });
	});

	it('a list setting takes one item, a JSON array, or a repeated flag that adds to it', () => {
		assert.deepEqual(parseCommandLine(['--extraContextExclude', '**/{a,b}.txt']), { settings: { extraContextExclude: ['**/{a,b}.txt'] } });
		assert.deepEqual(parseCommandLine(['--extraContextExclude', '["**/*.a", "b/**"]', '--extraContextExclude=c']), { settings: { extraContextExclude: ['**/*.a', 'b/**', 'c'] } });
		assert.deepEqual(parseCommandLine(['--extraContextExclude', '[]']), { settings: { extraContextExclude: [] } });
		assert.deepEqual(parseCommandLine(['--filesExclude', '[1]']), { error: '--filesExclude must be one text or a JSON array of texts, got "[1]".' });
		assert.deepEqual(parseCommandLine(['--filesExclude', '[oops']), { error: '--filesExclude must be one text or a JSON array of texts, got "[oops".' });
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

	describe('against the schema', () => {
		it('the server defaults are the schema defaults, and merging fills what a base lacks', () => {
			assert.deepEqual(defaultRuntimeSettings, Object.fromEntries(runtimeEntries.map(([key, spec]) => [key, spec.default])));
			assert.deepEqual(mergeSettings(defaultRuntimeSettings, {}), defaultRuntimeSettings);
			const sparse: RuntimeSettings = { modelPath: '/m.gguf', completionEnabled: false, threads: 2, gpu: 'off' };
			assert.deepEqual(mergeSettings(sparse, {}), { ...defaultRuntimeSettings, ...sparse });
		});

		it('each setting merges by its key, its flag and its id below bora, and a bad value keeps the base', () => {
			for (const [key, spec] of runtimeEntries) {
				const value = otherValue(spec);
				assert.equal(mergeSettings(defaultRuntimeSettings, { [key]: value })[key], value, `${key} by key`);
				assert.equal(mergeSettings(defaultRuntimeSettings, { [spec.flag]: value })[key], value, `${key} by flag`);
				if (spec.id !== undefined) {
					const path = spec.id.split('.');
					assert.equal(mergeSettings(defaultRuntimeSettings, nested(path, value))[key], value, `${key} as ${spec.id}`);
					assert.equal(mergeSettings(defaultRuntimeSettings, nested(path.slice(1), value))[key], value, `${key} as ${path.slice(1).join('.')}`);
				}
				const base = mergeSettings(defaultRuntimeSettings, { [key]: value });
				for (const bad of badValues(spec)) {
					assert.equal(mergeSettings(base, { [key]: bad })[key], value, `${key}: ${String(bad)} keeps the base`);
				}
			}
		});

		it('each flag parses, as --flag VALUE, --flag=VALUE and --key VALUE, and refuses a bad value', () => {
			for (const [key, spec] of runtimeEntries) {
				const value = otherValue(spec);
				assert.deepEqual(parseCommandLine([`--${spec.flag}`, String(value)]), { settings: { [key]: value } }, `--${spec.flag}`);
				assert.deepEqual(parseCommandLine([`--${spec.flag}=${String(value)}`]), { settings: { [key]: value } }, `--${spec.flag}=`);
				assert.deepEqual(parseCommandLine([`--${key}`, String(value)]), { settings: { [key]: value } }, `--${key}`);
				if (spec.type !== 'string' && spec.type !== 'stringList') {
					const result = parseCommandLine([`--${spec.flag}`, 'x1.5']);
					assert.ok('error' in result && result.error.startsWith(`--${spec.flag} must be `) && result.error.endsWith(', got "x1.5".'), `--${spec.flag}: ${JSON.stringify(result)}`);
				}
			}
		});

		it('the message for an unknown option lists every flag; transport flags and their values are skipped', () => {
			const result = parseCommandLine(['--modle', 'x']);
			assert.ok('error' in result);
			for (const [, spec] of runtimeEntries) {
				assert.match(result.error, new RegExp(` --${spec.flag} `), spec.flag);
			}
			assert.match(result.error, /--contextSize N \(0 = automatic\), /);
			assert.match(result.error, /--gpuLayers N \(-1 = automatic, 0 = CPU only\), /);
			assert.match(result.error, /--completionCandidates N \(1 to 5\), /);
			assert.match(result.error, /--gpu auto\|on\|off, /);
			assert.deepEqual(parseCommandLine(['--stdio', '--socket', '5000', '--pipe=/p', '--clientProcessId', '7', 'stray', '--threads', '2']), { settings: { threads: 2 } });
		});

		it('messages name the limits: special values, units and ranges', () => {
			const error = (argv: string[]) => (parseCommandLine(argv) as { error: string }).error;
			assert.equal(error(['--contextSize', '100']), '--contextSize must be 0 (automatic) or a whole number of tokens from 256, got "100".');
			assert.equal(error(['--gpuLayers', '-2']), '--gpuLayers must be -1 (automatic), 0 (CPU only) or a whole number of layers, got "-2".');
			assert.equal(error(['--completionCandidates', '6']), '--completionCandidates must be a whole number from 1 to 5, got "6".');
			assert.equal(error(['--extraContextMaxTokens', '-1']), '--extraContextMaxTokens must be a whole number of tokens ≥ 0, got "-1".');
			assert.equal(error(['--maxSuffixCharsOnLine', 'many']), '--maxSuffixCharsOnLine must be a whole number of characters ≥ 0, got "many".');
			assert.equal(error(['--completionMode', 'x']), '--completionMode must be auto, fim or chat, got "x".');
			assert.equal(error(['--extraContextEnabled', 'yes']), '--extraContextEnabled must be true or false, got "yes".');
		});
	});
});
