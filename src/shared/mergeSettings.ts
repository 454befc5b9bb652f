import { isSettingValue, runtimeEntries, type RuntimeSettingValues } from './settings';
import type { RuntimeSettings } from './types';

/**
 * Reads runtime settings from untrusted JSON (initialization options, configuration pushes from any
 * editor). Unknown keys are ignored and values the schema refuses keep the current value. Each
 * setting is taken from, first match wins: its key (`chatModelPath`), its command-line flag
 * (`model`), or its VS Code id below `bora` (`chat.modelPath`), for editors that send their whole
 * configuration, nested under `bora` or not.
 */
export function mergeSettings(base: RuntimeSettings, input: unknown): RuntimeSettings {
	if (!isRecord(input)) {
		return base;
	}
	const source = isRecord(input.bora) ? input.bora : input;
	const current: Partial<RuntimeSettingValues> = base;
	const merged: Record<string, unknown> = {};
	for (const [key, spec] of runtimeEntries) {
		const candidates = [source[key], source[spec.flag], spec.id === undefined ? undefined : valueAt(source, spec.id.split('.').slice(1))];
		merged[key] = candidates.find(value => isSettingValue(spec, value)) ?? current[key] ?? spec.default;
	}
	return merged as RuntimeSettingValues;
}

function valueAt(record: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
	let value: unknown = record;
	for (const name of path) {
		value = isRecord(value) ? value[name] : undefined;
	}
	return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
