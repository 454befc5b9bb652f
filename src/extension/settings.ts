import * as vscode from 'vscode';
import type { GpuMode, RuntimeSettings } from '../lsp/protocol';

/** Every setting Bora reads, by full id. */
export namespace SettingIds {
	export const section = 'bora';
	export const modelPath = 'bora.modelPath';
	export const completionEnabled = 'bora.completion.enabled';
	export const threads = 'bora.threads';
	export const gpu = 'bora.gpu';
}

/** A typed snapshot of the settings the runtime needs; the one place that reads them. */
export function getSettings(): RuntimeSettings {
	const config = vscode.workspace.getConfiguration();
	return {
		modelPath: expandHome(config.get<string>(SettingIds.modelPath, '').trim()),
		completionEnabled: config.get<boolean>(SettingIds.completionEnabled, true),
		threads: Math.max(0, Math.floor(config.get<number>(SettingIds.threads, 0))),
		gpu: config.get<GpuMode>(SettingIds.gpu, 'auto'),
	};
}

export function affectsRuntime(event: vscode.ConfigurationChangeEvent): boolean {
	return event.affectsConfiguration(SettingIds.section);
}

function expandHome(path: string): string {
	const home = process.env.HOME ?? process.env.USERPROFILE;
	return home && (path === '~' || path.startsWith('~/')) ? home + path.slice(1) : path;
}
