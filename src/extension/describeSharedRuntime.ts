import { formatBytes } from '../shared/formatBytes';
import type { ConnectedWindow, SharedModel, SharedRuntimeStatus } from '../shared/sharedRuntime';

/**
 * The lines of **Bora: Show Runtime Status** about the runtime process: its pid and build, how long
 * it outlives the last window, the windows connected to it (this one marked) and each loaded model
 * with the windows that use it and the memory it takes.
 */
export function describeSharedRuntime(status: SharedRuntimeStatus): string[] {
	if (!status.shared) {
		return [`Runtime of this window only (bora.runtime.shared is off) · pid ${status.pid} · build ${status.buildHash}`, ...status.models.map(model => `Model: **${model.name}** · ${formatBytes(model.bytes)}`)];
	}
	const keepAlive = status.keepAliveMinutes === 0 ? 'exits when the last window disconnects' : `stays ${status.keepAliveMinutes} min after the last window disconnects`;
	return [
		`Shared runtime · pid ${status.pid} · build ${status.buildHash} · ${keepAlive}`,
		`Windows connected (${status.windows.length}): ${status.windows.map(describeWindow).join(', ')}`,
		...status.models.map(model => `Model: **${model.name}** · ${formatBytes(model.bytes)} · used by ${describeUsers(model, status.windows)}`),
	];
}

/**
 * One line for the status bar's tooltip and the Models view: "Mistral … · shared by 2 windows · 4.1 GB"
 * per model, or nothing when the runtime serves this window alone.
 */
export function describeSharedModels(status: SharedRuntimeStatus | undefined): string[] {
	if (!status?.shared) {
		return [];
	}
	return status.models.map(model => `${model.name} · ${describeShare(model.windowIds.length)} · ${formatBytes(model.bytes)}`);
}

/** The windows other than this one, for Restart Runtime's confirmation. */
export function otherWindows(status: SharedRuntimeStatus): ConnectedWindow[] {
	return status.shared ? status.windows.filter(window => !window.self) : [];
}

function describeShare(windows: number): string {
	return windows <= 1 ? 'used by 1 window' : `shared by ${windows} windows`;
}

function describeWindow(window: ConnectedWindow): string {
	const marks = [...(window.self ? ['this window'] : []), ...(window.focused ? ['focused'] : [])];
	return `${window.name}${marks.length > 0 ? ` (${marks.join(', ')})` : ''}`;
}

function describeUsers(model: SharedModel, windows: readonly ConnectedWindow[]): string {
	if (model.windowIds.length === 0) {
		return 'no window (freed first when memory is needed)';
	}
	return model.windowIds.map(id => {
		const window = windows.find(candidate => candidate.id === id);
		return window ? `${window.name}${window.self ? ' (this window)' : ''}` : id;
	}).join(', ');
}
