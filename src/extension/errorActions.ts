import { settingEntries, settingsSchema, type SettingScope } from '../shared/settings';
import type { RuntimeErrorCode } from '../shared/types';
import type { ErrorAction, ErrorActionButton } from '../shared/webviewMessages';
import type { ClientState } from './ClientState';
import { CommandIds } from './commandIds';

export type { ErrorAction, ErrorActionButton };

/** An error as the notifications, the status bar and the chat panel have it: typed, or only its words. */
export interface ActionableError {
	/** The runtime's code, when the error came typed (`RuntimeErrorInfo`). Defaults to none. */
	readonly code?: RuntimeErrorCode;
	/** The message and, for a typed error, its action: every setting or command they name gets a button. */
	readonly text: string;
}

/** At most this many buttons: a notification shows three before it folds the rest into a menu. */
const maxButtons = 3;

/** Codes that mean "this model file cannot be used": choosing another is the way out. */
const chooseAnotherModel: ReadonlySet<RuntimeErrorCode> = new Set(['noModel', 'modelNotFound', 'invalidModel', 'truncatedModel', 'unsupportedModel']);

/**
 * The remote engine's codes: the setting that fixes each when the message names none (the URL, or the
 * model names), and whether a new API key is the way out.
 */
const remoteFixes: Readonly<Partial<Record<RuntimeErrorCode, { readonly setting?: string; readonly apiKey?: true }>>> = {
	remoteNotConfigured: { setting: settingsSchema.remoteUrl.id },
	remoteUnreachable: { setting: settingsSchema.remoteUrl.id },
	remoteModelNotFound: { setting: settingsSchema.remoteCompletionModel.id },
	remoteUnauthorized: { apiKey: true },
	remoteRateLimited: {},
	remoteServerError: {},
	remoteTimeout: {},
};

/** The path settings a file picker can fill, with the button that does it. */
const pathPickers = [
	{ setting: 'chatModelPath', label: 'Pick Chat Model…' },
	{ setting: 'mmprojPath', label: 'Pick Projector…' },
	{ setting: 'draftModelPath', label: 'Pick Draft Model…' },
] as const;

/** Every user setting id, longest first, so `bora.completion.mode` is not read inside a longer id. */
const settingIds: readonly string[] = settingEntries.flatMap(([, spec]) => spec.id === undefined ? [] : [spec.id]).sort((a, b) => b.length - a.length);

/**
 * The buttons for an error, the one place that maps errors to what the user can do: pickers for the
 * model files it names, then "Open Settings" at the first setting it names, then the commands it
 * names. A remote engine's error gets "Set Remote API Key…" for a 401/403, "Open Settings" at the URL
 * or model names, and "Test Remote Engine". Best first, at most three.
 */
export function errorActions({ code, text }: ActionableError): ErrorActionButton[] {
	const remote = code === undefined ? undefined : remoteFixes[code];
	const named = settingsNamedIn(text);
	if (remote?.setting !== undefined) {
		// The remote settings a remote error names come first ("bora.engine is remote, but bora.remote.url is empty" fixes the URL); none named: the code's own.
		const remoteNamed = named.filter(id => id.startsWith('bora.remote.'));
		named.splice(0, named.length, ...(remoteNamed.length > 0 ? remoteNamed : [remote.setting]), ...named.filter(id => !remoteNamed.includes(id)));
	}
	const buttons: ErrorActionButton[] = [];
	const add = (button: ErrorActionButton) => {
		if (!buttons.some(existing => sameAction(existing.action, button.action))) {
			buttons.push(button);
		}
	};
	for (const id of named) {
		const picker = pathPickers.find(candidate => settingsSchema[candidate.setting].id === id);
		if (picker) {
			add({ label: picker.label, action: { kind: 'pickPath', setting: picker.setting } });
		} else if (id === settingsSchema.modelPath.id) {
			add({ label: 'Select Model…', action: { kind: 'selectModel' } });
		}
	}
	if (remote?.apiKey || text.includes('Set Remote API Key')) {
		add({ label: 'Set Remote API Key…', action: { kind: 'setRemoteApiKey' } });
	}
	if ((code !== undefined && chooseAnotherModel.has(code)) || text.includes('Select GGUF Model')) {
		add({ label: 'Select Model…', action: { kind: 'selectModel' } });
	}
	if (named[0] !== undefined) {
		add({ label: 'Open Settings', action: { kind: 'openSettings', settingId: named[0] } });
	}
	if (/Restart Runtime/.test(text)) {
		add({ label: 'Restart Runtime', action: { kind: 'restartRuntime' } });
	}
	if (remote !== undefined || text.includes('Test Remote Engine')) {
		add({ label: 'Test Remote Engine', action: { kind: 'testRemoteEngine' } });
	}
	if (/runtime log|Show Runtime Log/i.test(text)) {
		add({ label: 'Show Log', action: { kind: 'showLog' } });
	}
	return buttons.slice(0, maxButtons);
}

/** The error the state stands for (stopped, no model, a model that failed or was refused), for its buttons; undefined when there is none. */
export function errorOfState(state: ClientState): ActionableError | undefined {
	switch (state.kind) {
		case 'starting':
			return undefined;
		case 'stopped':
			return { text: `${state.message} Restart Runtime, or see the runtime log.` };
		case 'runtime':
			break;
		default:
			void (state satisfies never);
			return undefined;
	}
	const runtime = state.runtime;
	switch (runtime.kind) {
		case 'idle':
			return { code: runtime.reason.code, text: `${runtime.reason.message} ${runtime.reason.action}` };
		case 'error':
			return { code: runtime.error.code, text: `${runtime.error.message} ${runtime.error.action}` };
		case 'ready':
			return runtime.rejected ? { code: runtime.rejected.error.code, text: `${runtime.rejected.error.message} ${runtime.rejected.error.action}` } : undefined;
		case 'loading':
			return undefined;
		default:
			void (runtime satisfies never);
			return undefined;
	}
}

/** The setting ids `text` names, in the order it names them, each once. */
export function settingsNamedIn(text: string): string[] {
	const found: { id: string; at: number }[] = [];
	let rest = text;
	for (const id of settingIds) {
		const pattern = new RegExp(`(?<![\\w.])${id.replace(/\./g, '\\.')}(?![\\w])`);
		const match = pattern.exec(rest);
		if (match) {
			found.push({ id, at: match.index });
			// Blanked out, so a shorter id inside it is not found again.
			rest = rest.slice(0, match.index) + ' '.repeat(id.length) + rest.slice(match.index + id.length);
		}
	}
	return found.sort((a, b) => a.at - b.at).map(entry => entry.id);
}

/** What "Open Settings" runs: the Remote tab for a machine setting in a remote window (code-server, SSH), where VS Code shows it. */
export function openSettingsCommand(settingId: string, remoteName: string | undefined): { readonly command: string; readonly args: readonly [{ readonly query: string }] } {
	const scope = scopeOf(settingId);
	const remote = remoteName !== undefined && (scope === 'machine' || scope === 'machine-overridable');
	return { command: remote ? 'workbench.action.openRemoteSettings' : 'workbench.action.openSettings', args: [{ query: settingId }] };
}

/** The command a button runs when it is a plain one; undefined for those the extension carries out itself (file pickers). */
export function commandOf(action: ErrorAction, remoteName: string | undefined): { readonly command: string; readonly args: readonly unknown[] } | undefined {
	switch (action.kind) {
		case 'selectModel':
			return { command: CommandIds.selectModel, args: [] };
		case 'restartRuntime':
			return { command: CommandIds.restartRuntime, args: [] };
		case 'showLog':
			return { command: CommandIds.showLog, args: [] };
		case 'setRemoteApiKey':
			return { command: CommandIds.setRemoteApiKey, args: [] };
		case 'testRemoteEngine':
			return { command: CommandIds.testRemoteEngine, args: [] };
		case 'openSettings':
			return openSettingsCommand(action.settingId, remoteName);
		case 'pickPath':
			return undefined;
		default:
			void (action satisfies never);
			return undefined;
	}
}

/** Whether a value the chat panel sent is one of the actions above: the panel is never trusted with a command id. */
export function isErrorAction(value: unknown): value is ErrorAction {
	if (typeof value !== 'object' || value === null) {
		return false;
	}
	const candidate = value as { kind?: unknown; setting?: unknown; settingId?: unknown };
	switch (candidate.kind) {
		case 'selectModel':
		case 'restartRuntime':
		case 'showLog':
		case 'setRemoteApiKey':
		case 'testRemoteEngine':
			return true;
		case 'pickPath':
			return pathPickers.some(picker => picker.setting === candidate.setting);
		case 'openSettings':
			return typeof candidate.settingId === 'string' && settingIds.includes(candidate.settingId);
		default:
			return false;
	}
}

function scopeOf(settingId: string): SettingScope | undefined {
	return settingEntries.find(([, spec]) => spec.id === settingId)?.[1].scope;
}

function sameAction(a: ErrorAction, b: ErrorAction): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}
