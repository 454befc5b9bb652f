import * as vscode from 'vscode';
import { isCompletionModeSetting } from '../shared/completionMode';
import type { GpuMode, ReasoningEffort, RuntimeSettings } from '../shared/protocol';
import { isReasoningEffort } from './chat/effortControl';

/** Every setting Bora reads, by full id. */
export namespace SettingIds {
	export const section = 'bora';
	export const modelPath = 'bora.modelPath';
	export const completionEnabled = 'bora.completion.enabled';
	export const completionMode = 'bora.completion.mode';
	export const completionCandidates = 'bora.completion.candidates';
	export const threads = 'bora.threads';
	export const gpu = 'bora.gpu';
	export const contextSize = 'bora.contextSize';
	export const gpuLayers = 'bora.gpuLayers';
	export const chatModelPath = 'bora.chat.modelPath';
	export const mmprojPath = 'bora.chat.mmprojPath';
	export const extraContextEnabled = 'bora.completion.extraContext.enabled';
	export const extraContextMaxTokens = 'bora.completion.extraContext.maxTokens';
	/** Read by the extension only: it decides whether copied text is sent at all. */
	export const extraContextClipboard = 'bora.completion.extraContext.clipboard';
	/** Read by the extension only: it goes with each chat request, not to the runtime's settings. */
	export const reasoningEffort = 'bora.reasoningEffort';
}

/** The extension's global storage, where the runtime keeps speed forecasts; set once at activation. */
let storageDir = '';

export function setStorageDir(dir: string): void {
	storageDir = dir;
}

/** A typed snapshot of the settings the runtime needs; the one place that reads them. */
export function getSettings(): RuntimeSettings {
	const config = vscode.workspace.getConfiguration();
	return {
		modelPath: expandHome(config.get<string>(SettingIds.modelPath, '').trim()),
		completionEnabled: config.get<boolean>(SettingIds.completionEnabled, true),
		threads: Math.max(0, Math.floor(config.get<number>(SettingIds.threads, 0))),
		gpu: config.get<GpuMode>(SettingIds.gpu, 'auto'),
		chatModelPath: expandHome(config.get<string>(SettingIds.chatModelPath, '').trim()),
		mmprojPath: expandHome(config.get<string>(SettingIds.mmprojPath, '').trim()),
		// Below 256 tokens a prompt and its answer do not fit: treated as automatic.
		contextSize: atLeast(256, Math.floor(config.get<number>(SettingIds.contextSize, 0))),
		gpuLayers: Math.max(-1, Math.floor(config.get<number>(SettingIds.gpuLayers, -1))),
		storageDir,
		extraContextEnabled: config.get<boolean>(SettingIds.extraContextEnabled, true),
		extraContextMaxTokens: Math.max(0, Math.floor(config.get<number>(SettingIds.extraContextMaxTokens, 1024))),
		completionMode: completionModeSetting(config.get<string>(SettingIds.completionMode, 'auto')),
		maxSuffixCharsOnLine: Math.max(0, Math.floor(config.get<number>('bora.completion.maxSuffixCharsOnLine', 8)) || 0),
		completionCandidates: Math.min(5, Math.max(1, Math.floor(config.get<number>(SettingIds.completionCandidates, 3)) || 1)),
	};
}

/** The chosen reasoning effort; the setting is the source of truth for every control that shows it. */
export function getReasoningEffort(): ReasoningEffort {
	const value = vscode.workspace.getConfiguration().get<string>(SettingIds.reasoningEffort, 'medium');
	return isReasoningEffort(value) ? value : 'medium';
}

export async function setReasoningEffort(effort: ReasoningEffort): Promise<void> {
	await vscode.workspace.getConfiguration().update(SettingIds.reasoningEffort, effort, vscode.ConfigurationTarget.Global);
}

/** Runtime settings changed; the reasoning effort is not one (it travels with each chat request). */
export function affectsRuntime(event: vscode.ConfigurationChangeEvent): boolean {
	return event.affectsConfiguration(SettingIds.section) && !onlyEffortChanged(event);
}

export function affectsReasoningEffort(event: vscode.ConfigurationChangeEvent): boolean {
	return event.affectsConfiguration(SettingIds.reasoningEffort);
}

function onlyEffortChanged(event: vscode.ConfigurationChangeEvent): boolean {
	return event.affectsConfiguration(SettingIds.reasoningEffort)
		&& ![SettingIds.modelPath, SettingIds.completionEnabled, SettingIds.threads, SettingIds.gpu, SettingIds.contextSize, SettingIds.gpuLayers, SettingIds.chatModelPath, SettingIds.mmprojPath, SettingIds.extraContextEnabled, SettingIds.extraContextMaxTokens, SettingIds.completionMode, SettingIds.completionCandidates, 'bora.trace']
			.some(id => event.affectsConfiguration(id));
}

function completionModeSetting(value: string) {
	return isCompletionModeSetting(value) ? value : 'auto';
}

function atLeast(minimum: number, value: number): number {
	return Number.isFinite(value) && value >= minimum ? value : 0;
}

function expandHome(path: string): string {
	const home = process.env.HOME ?? process.env.USERPROFILE;
	return home && (path === '~' || path.startsWith('~/')) ? home + path.slice(1) : path;
}
