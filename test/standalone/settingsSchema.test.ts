import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSetting, readSettings, runtimeSettingIds, settingEntries, settingsSchema, toRuntimeSettings, type SettingSpec } from '../../src/shared/settings';
import { repoRoot } from '../support/paths';

/** A `contributes.configuration` property, as far as the schema describes it. */
interface ManifestProperty {
	readonly type?: unknown;
	readonly default?: unknown;
	readonly enum?: unknown;
	readonly minimum?: unknown;
	readonly maximum?: unknown;
	readonly scope?: unknown;
	readonly items?: unknown;
	readonly pattern?: unknown;
	readonly description?: unknown;
	readonly markdownDescription?: unknown;
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, ManifestProperty> } } };
const properties = manifest.contributes.configuration.properties;

/** What package.json must say for a schema entry. */
function expectedProperty(spec: SettingSpec): ManifestProperty {
	const common = { default: spec.default, ...(spec.scope ? { scope: spec.scope } : {}) };
	switch (spec.type) {
		case 'string':
			return { type: spec.type, ...common, ...(spec.pattern !== undefined ? { pattern: spec.pattern } : {}) };
		case 'boolean':
			return { type: spec.type, ...common };
		case 'enum':
			return { type: 'string', enum: spec.values, ...common };
		case 'integer':
			return { type: 'integer', minimum: spec.minimum, ...(spec.maximum !== undefined ? { maximum: spec.maximum } : {}), ...common };
		case 'stringList':
			return { type: 'array', items: { type: 'string' }, ...common };
		default:
			void (spec satisfies never);
			throw new Error('unknown setting type');
	}
}

/** The keys the comparison covers; anything else in package.json (a `pattern`, an `exclusiveMaximum`) would go unchecked. */
const comparedKeys = ['type', 'items', 'default', 'enum', 'minimum', 'maximum', 'scope', 'pattern'] as const;
const describingKeys = new Set(['description', 'markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions', 'patternErrorMessage']);

describe('settings schema', () => {
	it('every schema entry with an id is in package.json with the same type, default, enum, limits and scope', () => {
		for (const [key, spec] of settingEntries) {
			if (spec.id === undefined) {
				continue;
			}
			const property = properties[spec.id];
			assert.ok(property, `${spec.id} (${key}) is missing from package.json`);
			const actual = Object.fromEntries(comparedKeys.flatMap(name => property[name] === undefined ? [] : [[name, property[name]]]));
			assert.deepEqual(actual, expectedProperty(spec), `${spec.id}: package.json and settingsSchema.${key} differ`);
			assert.ok(typeof (property.markdownDescription ?? property.description) === 'string', `${spec.id} has no description in package.json`);
		}
	});

	it('every bora.* setting in package.json is in the schema, with nothing the comparison misses', () => {
		const ids = new Set(settingEntries.map(([, spec]) => spec.id));
		for (const [id, property] of Object.entries(properties)) {
			assert.ok(!id.startsWith('bora.') || ids.has(id), `${id} is in package.json but not in settingsSchema`);
			const unchecked = Object.keys(property).filter(name => !(comparedKeys as readonly string[]).includes(name) && !describingKeys.has(name));
			assert.deepEqual(unchecked, [], `${id} has keys the schema does not describe`);
		}
	});

	it('every id is in the bora section; only storageDir and filesExclude, which the host supplies, have none', () => {
		for (const [key, spec] of settingEntries) {
			assert.ok(spec.id === undefined ? spec.runtime : spec.id.startsWith('bora.'), `${key}: an id is in the bora section; a value without one must go to the runtime`);
		}
		assert.deepEqual(settingEntries.filter(([, spec]) => spec.id === undefined).map(([key]) => key), ['storageDir', 'filesExclude']);
	});

	it('reads missing or wrongly typed values as the defaults', () => {
		const defaults = Object.fromEntries(settingEntries.flatMap(([key, spec]) => spec.id === undefined ? [] : [[key, spec.default]]));
		assert.deepEqual(readSettings(() => undefined), defaults);
		assert.deepEqual(readSettings(() => ({ not: 'a setting' })), defaults);
		const wrong: Record<string, unknown> = { 'bora.gpu': 'sometimes', 'bora.completion.mode': 'fast', 'bora.completion.enabled': 'no', 'bora.threads': '4', 'bora.contextSize': Number.NaN, 'bora.modelPath': 7 };
		assert.deepEqual(readSettings(id => wrong[id]), defaults);
	});

	it('floors integers and clamps them to the limits; context sizes too small to use mean automatic', () => {
		const values: Record<string, unknown> = {
			'bora.threads': -3, 'bora.gpuLayers': -7, 'bora.completion.candidates': 9, 'bora.completion.maxSuffixCharsOnLine': -1,
			'bora.completion.extraContext.maxTokens': 512.9, 'bora.contextSize': 100,
		};
		const settings = readSettings(id => values[id]);
		assert.deepEqual(
			[settings.threads, settings.gpuLayers, settings.completionCandidates, settings.maxSuffixCharsOnLine, settings.extraContextMaxTokens, settings.contextSize],
			[0, -1, 5, 0, 512, 0],
		);
		const read = (id: string, value: number) => readSettings(other => other === id ? value : undefined);
		assert.equal(read('bora.completion.candidates', 0).completionCandidates, 1);
		assert.equal(read('bora.completion.candidates', 2.7).completionCandidates, 2);
		assert.equal(read('bora.contextSize', -5).contextSize, 0);
		assert.equal(read('bora.contextSize', 256).contextSize, 256);
		assert.equal(read('bora.contextSize', 300.5).contextSize, 300);
	});

	it('trims paths and expands a leading ~; other text is kept as written', () => {
		const values: Record<string, unknown> = { 'bora.modelPath': '  ~/models/a.gguf ', 'bora.chat.modelPath': '~', 'bora.chat.mmprojPath': '/p/~/m.gguf' };
		const settings = readSettings(id => values[id], { homeDir: '/home/u' });
		assert.deepEqual([settings.modelPath, settings.chatModelPath, settings.mmprojPath], ['/home/u/models/a.gguf', '/home/u', '/p/~/m.gguf']);
		assert.equal(readSettings(id => values[id]).modelPath, '~/models/a.gguf', 'no home folder: no expansion');
		assert.equal(readSetting('modelPath', id => values[id], { homeDir: '/h' }), '/h/models/a.gguf');
		assert.equal(readSetting('politeness', () => 'onPause'), 'onPause');
		assert.equal(readSetting('politeness', () => 'rude'), 'normal');
		assert.deepEqual(readSetting('extraContextExclude', () => ['**/*.secret', 3, null]), ['**/*.secret'], 'an entry that is not text is dropped');
		assert.deepEqual(readSetting('extraContextExclude', () => '**/*.secret'), settingsSchema.extraContextExclude.default, 'not a list: the default');
		assert.deepEqual(readSetting('extraContextExclude', () => []), [], 'an empty list turns the secret patterns off');
	});

	it('the runtime gets its settings and what the host supplies, not the extension’s own', () => {
		const runtime = toRuntimeSettings(readSettings(() => undefined), { storageDir: '/storage', filesExclude: ['**/.git'] });
		const expected = Object.fromEntries(settingEntries.flatMap(([key, spec]) => spec.runtime ? [[key, spec.default]] : []));
		assert.deepEqual(runtime, { ...expected, storageDir: '/storage', filesExclude: ['**/.git'] });
		for (const clientOnly of ['reasoningEffort', 'politeness', 'extraContextClipboard', 'traceServer']) {
			assert.ok(!(clientOnly in runtime), clientOnly);
		}
		assert.ok(runtimeSettingIds.includes(settingsSchema.maxSuffixCharsOnLine.id));
		assert.ok(!runtimeSettingIds.includes(settingsSchema.politeness.id));
		assert.ok(!runtimeSettingIds.includes(settingsSchema.traceServer.id));
	});
});
