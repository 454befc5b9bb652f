/*
 * The client's half of the shared runtime: connect to it, or start it and then connect. Used by the
 * extension (one per window), by `server.mjs --connect` (other editors) and by the tests. Node's
 * built-ins only, like the rest of src/shared.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { runtimeProcessEnv } from './runtimeThreadPool';
import type { SharedRuntimeEndpoint } from './sharedRuntime';

export interface ConnectOrStartOptions {
	/** Absolute path of the runtime bundle (`dist/server.mjs`) to start when none answers; its build hash must be the one in `endpoint`. */
	readonly serverModule: string;
	/** Where the runtime listens: `sharedRuntimeEndpoint({ buildHash: buildHashOf(serverModule) })`. */
	readonly endpoint: SharedRuntimeEndpoint;
	/** The environment to start the runtime with (it finds its folder from `BORA_RUNTIME_DIR` / `XDG_RUNTIME_DIR` in it). Defaults to `process.env`. */
	readonly env?: NodeJS.ProcessEnv;
	/** Runtime flags after `--listen`, e.g. `['--keepAliveMinutes', '0']`; only the process that starts it uses them. Defaults to `[]`. */
	readonly args?: readonly string[];
	/** Stops waiting; the socket of a connection already made is destroyed. Defaults to none. */
	readonly signal?: AbortSignal;
	/** Where to say what happens (connected, started a runtime). Defaults to nothing. */
	readonly log?: (message: string) => void;
	/** How long to wait for a started runtime to answer. Defaults to `30_000` ms: a cold start reads the bundle and node-llama-cpp from disk. */
	readonly timeoutMs?: number;
	/** The Node binary that runs the runtime. Defaults to `process.execPath` (in VS Code's extension host, its Electron run as Node, as the IPC runtime is). */
	readonly execPath?: string;
}

/** The shared runtime could not be reached or started; `action` says what the user can do. */
export class SharedRuntimeConnectError extends Error {
	readonly action: string;

	constructor(message: string, action: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'SharedRuntimeConnectError';
		this.action = action;
	}
}

/**
 * Errors that mean "no runtime listens there (any more)": nothing, the stale socket file of a killed
 * one, or one that is exiting as the connection arrives (a starter that lost the race to another,
 * a runtime whose keep-alive just ended): ECONNRESET on connect, seen after a `kill -9` in e2e runs.
 */
const noListenerCodes: ReadonlySet<string> = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET']);

/**
 * Connects to the shared runtime at `endpoint`; when none listens, starts `serverModule --listen`
 * as a detached process (it outlives the caller) and retries with a short backoff until it answers.
 * Several callers may race (two windows opening, all windows after a crash): each may start a
 * runtime, the runtime makes sure only one of them keeps listening and the others exit, and every
 * caller ends up connected to that one.
 */
export async function connectOrStart({
	serverModule, endpoint, env = process.env, args = [], signal, log = () => {}, timeoutMs = 30_000, execPath = process.execPath,
}: ConnectOrStartOptions): Promise<Socket> {
	const deadline = Date.now() + timeoutMs;
	let started: StartedRuntime | undefined;
	let delayMs = 25;
	for (;;) {
		signal?.throwIfAborted();
		try {
			const socket = await connectOnce(endpoint.socketPath, signal);
			log(started ? `Started the shared runtime (pid ${started.pid ?? '?'}) and connected to ${endpoint.socketPath}.` : `Connected to the shared runtime at ${endpoint.socketPath}.`);
			return socket;
		} catch (error) {
			const code = errorCode(error);
			if (!code || !noListenerCodes.has(code)) {
				throw signal?.aborted ? error : new SharedRuntimeConnectError(
					`Cannot connect to Bora's shared runtime at ${endpoint.socketPath}: ${errorMessage(error)}`,
					`Check that ${endpoint.directory} belongs to you and has mode 0700, or turn off bora.runtime.shared to run a runtime per window.`,
					{ cause: error },
				);
			}
		}
		if (!started) {
			log(`No shared runtime answers at ${endpoint.socketPath}; starting ${serverModule}.`);
			started = startDetached(serverModule, args, env, execPath);
		} else if (started.failure) {
			throw new SharedRuntimeConnectError(
				`Bora's shared runtime did not start: ${started.failure}.`,
				`Run "${execPath}" "${serverModule}" --listen in a terminal to see why, or turn off bora.runtime.shared to run a runtime per window.`,
			);
		}
		if (Date.now() >= deadline) {
			throw new SharedRuntimeConnectError(
				`Bora's shared runtime did not answer at ${endpoint.socketPath} within ${Math.round(timeoutMs / 1000)} s.`,
				`Run "${execPath}" "${serverModule}" --listen in a terminal to see why, or turn off bora.runtime.shared to run a runtime per window.`,
			);
		}
		await sleep(Math.min(delayMs, Math.max(0, deadline - Date.now())), signal);
		delayMs = Math.min(delayMs * 2, 500);
	}
}

interface StartedRuntime {
	readonly pid: number | undefined;
	/** Set when the started process failed in a way that waiting will not fix. */
	failure?: string;
}

/**
 * Starts the runtime detached from the caller: its own process group, no stdio, not counted by the
 * caller's event loop, so closing a window (or killing the test that started it) leaves it up. Its
 * exit code 0 means another starter won the race, so only a nonzero one is a failure.
 */
function startDetached(serverModule: string, args: readonly string[], env: NodeJS.ProcessEnv, execPath: string): StartedRuntime {
	const child = spawn(execPath, [serverModule, '--listen', ...args], {
		detached: true,
		stdio: 'ignore',
		cwd: dirname(serverModule),
		// ELECTRON_RUN_AS_NODE: VS Code's execPath is Electron, which runs a script only with it (vscode-languageclient sets it for its IPC runtime too).
		env: { ...env, ...runtimeProcessEnv(env), ELECTRON_RUN_AS_NODE: '1' },
	});
	const started: StartedRuntime = { pid: child.pid };
	child.on('error', error => started.failure = errorMessage(error));
	child.on('exit', (code, signalName) => {
		if (code !== 0) {
			started.failure = signalName ? `it was killed by ${signalName}` : `it exited with code ${code}`;
		}
	});
	child.unref();
	return started;
}

function connectOnce(path: string, signal: AbortSignal | undefined): Promise<Socket> {
	return new Promise((resolve, reject) => {
		const socket = connect({ path });
		const onAbort = () => {
			socket.destroy();
			reject(signal?.reason);
		};
		signal?.addEventListener('abort', onAbort, { once: true });
		const onError = (error: Error) => {
			signal?.removeEventListener('abort', onAbort);
			socket.destroy();
			reject(error);
		};
		socket.once('error', onError);
		socket.once('connect', () => {
			signal?.removeEventListener('abort', onAbort);
			socket.off('error', onError);
			resolve(socket);
		});
	});
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function errorCode(error: unknown): string | undefined {
	return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
