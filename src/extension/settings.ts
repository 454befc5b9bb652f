import * as vscode from 'vscode';
import type { ReasoningEffort, RuntimeSettings } from '../shared/protocol';
import { readSetting, readSettings, runtimeSettingIds, SettingIds, toRuntimeSettings, type ReadSettingsOptions, type Settings } from '../shared/settings';

export { SettingIds, type Settings } from '../shared/settings';

/** A typed snapshot of Bora's settings, normalised by the schema; the one place that reads them all. */
export function getSettings(): Settings {
	const config = vscode.workspace.getConfiguration();
	return readSettings(id => config.get(id), readOptions());
}

/** One setting, read like {@link getSettings} reads it, for hot paths such as each completion request. */
export function getSetting<K extends keyof Settings>(key: K): Settings[K] {
	const config = vscode.workspace.getConfiguration();
	return readSetting(key, id => config.get(id), readOptions());
}

/**
 * What the runtime gets, as initialization options and on each change.
 * @param storageDir The extension's global storage, where the runtime keeps its speed forecasts.
 */
export function getRuntimeSettings(storageDir: string): RuntimeSettings {
	return toRuntimeSettings(getSettings(), { storageDir, filesExclude: filesExcludePatterns() });
}

/** `files.exclude`'s patterns that are on. A `when` condition (hide `a.js` beside `a.ts`) cannot be judged without the folder's listing, so it is left out. */
function filesExcludePatterns(): string[] {
	const patterns = vscode.workspace.getConfiguration().get<unknown>(filesExcludeId);
	if (typeof patterns !== 'object' || patterns === null) {
		return [];
	}
	return Object.entries(patterns).flatMap(([pattern, on]) => on === true ? [pattern] : []);
}

const filesExcludeId = 'files.exclude';

/** The chosen reasoning effort; the setting is the source of truth for every control that shows it. */
export function getReasoningEffort(): ReasoningEffort {
	return getSetting('reasoningEffort');
}

export async function setReasoningEffort(effort: ReasoningEffort): Promise<void> {
	await vscode.workspace.getConfiguration().update(SettingIds.reasoningEffort, effort, vscode.ConfigurationTarget.Global);
}

/** A setting the runtime uses changed (`files.exclude` included); the extension's own ones (reasoning effort, politeness, clipboard, trace) are not pushed. */
export function affectsRuntime(event: vscode.ConfigurationChangeEvent): boolean {
	return [...runtimeSettingIds, filesExcludeId].some(id => event.affectsConfiguration(id));
}

export function affectsReasoningEffort(event: vscode.ConfigurationChangeEvent): boolean {
	return event.affectsConfiguration(SettingIds.reasoningEffort);
}

function readOptions(): ReadSettingsOptions {
	const homeDir = process.env.HOME ?? process.env.USERPROFILE;
	return homeDir ? { homeDir } : {};
}
