/*
 * The shared runtime's address and wire additions: one runtime process per user and Bora build,
 * which every VS Code window (and other editors, through `--connect`) talks to over a local socket.
 * Both sides import this module; it uses Node's built-ins only.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { NotificationType, RequestType0 } from 'vscode-languageserver-protocol';

/** Where one build's shared runtime listens for one user. */
export interface SharedRuntimeEndpoint {
	/** The per-user folder (mode 0700) holding the socket; on Windows the pipe namespace, checked by nothing. */
	readonly directory: string;
	/** The Unix socket's path, or the named pipe's name on Windows. */
	readonly socketPath: string;
	readonly buildHash: string;
}

export interface SharedRuntimeEndpointOptions {
	readonly buildHash: string;
	/** Defaults to `process.platform`. */
	readonly platform?: NodeJS.Platform;
	/** Defaults to `process.env`: `BORA_RUNTIME_DIR` replaces the folder (tests keep theirs apart from the user's runtime), else `XDG_RUNTIME_DIR`. */
	readonly env?: NodeJS.ProcessEnv;
}

/**
 * The endpoint of the shared runtime of build `buildHash` for the current user. The folder is
 * `$BORA_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/bora`, else `<tmpdir>/bora-<uid>`; the socket in it is
 * `runtime-<buildHash>.sock`, short enough for `sun_path` (108 bytes on Linux, 104 on macOS).
 */
export function sharedRuntimeEndpoint({ buildHash, platform = process.platform, env = process.env }: SharedRuntimeEndpointOptions): SharedRuntimeEndpoint {
	if (platform === 'win32') {
		const user = userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_');
		return { directory: '\\\\.\\pipe', socketPath: `\\\\.\\pipe\\bora-${user}-${buildHash}`, buildHash };
	}
	const directory = env['BORA_RUNTIME_DIR'] || (env['XDG_RUNTIME_DIR'] ? join(env['XDG_RUNTIME_DIR'], 'bora') : join(tmpdir(), `bora-${process.getuid?.() ?? userInfo().uid}`));
	return { directory, socketPath: join(directory, `runtime-${buildHash}.sock`), buildHash };
}

/**
 * The build hash of a runtime bundle: the first 16 hex digits of the SHA-256 of `dist/server.mjs`.
 * The extension hashes the file it would start, the runtime its own file, so two Bora versions (or
 * a rebuilt one) never share a socket.
 */
export function buildHashOf(serverModulePath: string): string {
	return createHash('sha256').update(readFileSync(serverModulePath)).digest('hex').slice(0, 16);
}

// ---- Wire additions ----

/** Sent by each window after `initialized` and whenever it changes: who it is for the log and the status, and whether it has focus. */
export interface WindowStateParams {
	/** What the user calls the window: the workspace's name, else "Untitled window". */
	readonly name: string;
	/** Whether the window has the OS focus: its completions go before other windows'. */
	readonly focused: boolean;
}

export namespace WindowStateNotification {
	export const method = 'bora/windowState' as const;
	export const type = new NotificationType<WindowStateParams>(method);
}

/** One connection to the runtime. */
export interface ConnectedWindow {
	/** Chosen by the runtime, unique while it runs ("w1", "w2", …). */
	readonly id: string;
	readonly name: string;
	/** The client's process id from `initialize`, when it sent one. */
	readonly pid?: number;
	readonly focused: boolean;
	/** Whether this is the window that asked (each window gets its own copy of the status). */
	readonly self: boolean;
	/** Paths of the models this window uses. */
	readonly modelPaths: readonly string[];
}

/** One model load shared by the windows that use it. */
export interface SharedModel {
	readonly path: string;
	readonly name: string;
	/** Ids of the windows that use it. */
	readonly windowIds: readonly string[];
	/** Bytes it takes: weights plus contexts, as the runtime measured or estimated them. */
	readonly bytes: number;
}

export interface SharedRuntimeStatus {
	/** `false` for a runtime of its own (`bora.runtime.shared` off, or `--stdio`). */
	readonly shared: boolean;
	readonly pid: number;
	readonly buildHash: string;
	/** Minutes the runtime stays up after the last window disconnects. */
	readonly keepAliveMinutes: number;
	readonly windows: readonly ConnectedWindow[];
	readonly models: readonly SharedModel[];
}

export namespace SharedRuntimeStatusRequest {
	export const method = 'bora/sharedRuntimeStatus' as const;
	export const type = new RequestType0<SharedRuntimeStatus, void>(method);
}

/** Sent to every window when a window connects or leaves, or a model is loaded or freed. */
export namespace SharedRuntimeStatusNotification {
	export const method = 'bora/sharedRuntimeStatusChanged' as const;
	export const type = new NotificationType<SharedRuntimeStatus>(method);
}

/**
 * Asks a shared runtime to exit after answering (Bora: Restart Runtime): every window sees its
 * connection close and reconnects, and the first to do so starts a new runtime.
 */
export namespace SharedRuntimeExitRequest {
	export const method = 'bora/sharedRuntimeExit' as const;
	export const type = new RequestType0<void, void>(method);
}
