import type { Duplex } from 'node:stream';
import * as vscode from 'vscode';
import {
	CloseAction, DidChangeConfigurationNotification, ErrorAction, LanguageClient, State, TransportKind,
	type CloseHandlerResult, type ErrorHandlerResult, type LanguageClientOptions, type Middleware, type NotificationType, type RequestType, type RequestType0, type ServerOptions,
} from 'vscode-languageclient/node';
import { RuntimeStateNotification, RuntimeStateRequest } from '../shared/protocol';
import { runtimeProcessEnv } from '../shared/runtimeThreadPool';
import { SharedRuntimeExitRequest } from '../shared/sharedRuntime';
import type { ClientState } from './ClientState';
import { Disposable } from './dispose';
import { RestartPolicy } from './RestartPolicy';
import { getRuntimeSettings, getSetting } from './settings';

export type { ClientState } from './ClientState';

type Handler = (params: unknown) => void;

/**
 * Opens a connection to the shared runtime of this build, starting it when none answers; `signal`
 * ends the attempt when the window stops the client meanwhile.
 */
export type SharedRuntimeConnector = (signal: AbortSignal) => Promise<Duplex>;

export interface RuntimeClientOptions {
	/** `dist/server.mjs`: the runtime a window starts for itself when `bora.runtime.shared` is off. */
	readonly serverModule: string;
	readonly log: vscode.LogOutputChannel;
	/** The extension's global storage; the runtime keeps its speed forecasts there. */
	readonly storageDir: string;
	/** How the window reaches the shared runtime when `bora.runtime.shared` is on. */
	readonly connectShared: SharedRuntimeConnector;
	/** The protocol trace (`bora.trace.server`) goes through this channel; the remote API key must not appear in it. Defaults to `log`. */
	readonly traceLog?: vscode.LogOutputChannel;
}

/**
 * The transport to Bora's runtime process and its restart policy: owns the LanguageClient, starts,
 * stops and restarts it, pushes settings, restarts it when it dies (within {@link RestartPolicy})
 * and tracks the state it reports. Features talk to the runtime only through `request`, `notify` and
 * `onNotification`, which outlive restarts; all model work happens in that process.
 *
 * With `bora.runtime.shared` on (the default) the LanguageClient talks over a socket to the one
 * runtime every window of this user and build shares: stopping only disconnects this window, and
 * when that runtime dies the client reconnects, which starts a new one if no other window did first.
 * Off, each window spawns its own runtime over IPC. The mode is read at each `start`.
 */
export class RuntimeClient extends Disposable {
	private client: LanguageClient | undefined;
	/** Whether the current client talks to the shared runtime. */
	private shared = false;
	/** The socket of the current shared connection; the LanguageClient does not close it when it stops. */
	private socket: Duplex | undefined;
	/** Ends a connection attempt that is still waiting for a shared runtime when the client stops. */
	private connecting: AbortController | undefined;
	/** Why the latest connection attempt to the shared runtime failed, for the state after a failed reconnect. */
	private connectError: string | undefined;
	/** Set while this window asked the shared runtime to exit: the close that follows is no crash. */
	private exitRequested = false;
	private clientSubscription: vscode.Disposable | undefined;
	/** Whether the current connection got through initialize; reset when it closes. */
	private connectionUp = false;
	private state: ClientState = { kind: 'starting' };
	private readonly restartPolicy = new RestartPolicy();
	/** Handlers by method; each LanguageClient gets one route per method, since it keeps only one handler each. */
	private readonly handlers = new Map<string, Set<Handler>>();
	private readonly middlewares = new Set<Middleware>();
	private readonly stateEmitter = this._register(new vscode.EventEmitter<ClientState>());
	private readonly startEmitter = this._register(new vscode.EventEmitter<void>());
	private readonly connectEmitter = this._register(new vscode.EventEmitter<void>());
	readonly onDidChangeState = this.stateEmitter.event;
	/** Fires when `start` has the runtime up and its state known (not after the client's own restart after a crash). */
	readonly onDidStart = this.startEmitter.event;
	/** Fires each time a connection is up and initialized: after `start` and after each reconnect or restart following a crash. */
	readonly onDidConnect = this.connectEmitter.event;
	private readonly serverModule: string;
	private readonly log: vscode.LogOutputChannel;
	private readonly storageDir: string;
	private readonly connectShared: SharedRuntimeConnector;
	private readonly traceLog: vscode.LogOutputChannel;

	constructor({ serverModule, log, storageDir, connectShared, traceLog = log }: RuntimeClientOptions) {
		super();
		this.serverModule = serverModule;
		this.log = log;
		this.traceLog = traceLog;
		this.storageDir = storageDir;
		this.connectShared = connectShared;
		this._register(this.onNotification(RuntimeStateNotification.type, runtime => this.setState({ kind: 'runtime', runtime })));
	}

	get currentState(): ClientState {
		return this.state;
	}

	/** Whether this window is connected (or connecting) to the shared runtime rather than one of its own. */
	get isShared(): boolean {
		return this.shared;
	}

	/**
	 * Adds hooks to the requests of every LanguageClient started from now on (the next `start` or
	 * `restart`), like the library's own `registerFeature`; one registration per hook.
	 */
	registerMiddleware(middleware: Middleware): vscode.Disposable {
		this.middlewares.add(middleware);
		return new vscode.Disposable(() => this.middlewares.delete(middleware));
	}

	async start(): Promise<void> {
		this.shared = getSetting('runtimeShared');
		const client = this.createClient();
		this.client = client;
		this.clientSubscription = client.onDidChangeState(({ newState }) => this.onClientState(client, newState));
		this.setState({ kind: 'starting' });
		for (const method of this.handlers.keys()) {
			this.route(client, method);
		}
		try {
			await client.start();
			this.setState({ kind: 'runtime', runtime: await client.sendRequest(RuntimeStateRequest.type) });
			this.startEmitter.fire();
		} catch (error) {
			this.setState({ kind: 'stopped', message: `Bora's runtime did not start: ${errorMessage(error)}` });
		}
	}

	/** Stops this window's client and starts it again: a new connection to the shared runtime (which keeps running), or a new runtime of its own. */
	async restart(): Promise<void> {
		await this.stop();
		await this.start();
	}

	/**
	 * **Bora: Restart Runtime**: a new runtime process. A shared runtime is asked to exit, so every
	 * window sees its connection close and reconnects, and the first starts the new runtime; this
	 * window's close is not counted as a crash. A runtime of its own is stopped and started again.
	 */
	async restartRuntime(): Promise<void> {
		if (!this.shared || this.client?.state !== State.Running) {
			await this.restart();
			return;
		}
		this.exitRequested = true;
		try {
			await this.request(SharedRuntimeExitRequest.type, undefined);
		} catch (error) {
			if (this.client?.state === State.Running) {
				// A runtime that refuses or does not know the request: this window starts over on its own.
				this.exitRequested = false;
				this.log.warn(`The shared runtime did not exit: ${errorMessage(error)}; reconnecting this window.`);
				await this.restart();
			}
		}
	}

	pushSettings(): void {
		this.notify(DidChangeConfigurationNotification.type, { settings: getRuntimeSettings(this.storageDir) });
	}

	/** Sends any Bora request to the runtime; rejects when it is not running. Cancelling `token` sends `$/cancelRequest`. */
	async request<P, R>(type: RequestType<P, R, void> | RequestType0<R, void>, params: P, token?: vscode.CancellationToken): Promise<R> {
		const client = this.client;
		if (!client || client.state !== State.Running) {
			throw new Error(this.state.kind === 'stopped' ? this.state.message : "Bora's runtime is not running yet.");
		}
		// jsonrpc counts every argument after the method as a param unless it is a real cancellation token,
		// so an absent token must not be passed at all: the server would get `null` where its token goes.
		if (type.numberOfParams === 0) {
			return token ? client.sendRequest(type as RequestType0<R, void>, token) : client.sendRequest(type as RequestType0<R, void>);
		}
		return (token ? client.sendRequest(type.method, params, token) : client.sendRequest(type.method, params)) as Promise<R>;
	}

	/** Sends a notification while the runtime runs; dropped otherwise (what it says is sent again on the next start). */
	notify<P>(type: NotificationType<P>, params: P): void {
		if (this.client?.state === State.Running) {
			void this.client.sendNotification(type.method, params);
		}
	}

	/** Listens to a runtime notification, across restarts, until the returned disposable is disposed. */
	onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): vscode.Disposable {
		let handlers = this.handlers.get(type.method);
		if (!handlers) {
			handlers = new Set();
			this.handlers.set(type.method, handlers);
			if (this.client) {
				this.route(this.client, type.method);
			}
		}
		const entry = handler as Handler;
		handlers.add(entry);
		const owner = handlers;
		return new vscode.Disposable(() => owner.delete(entry));
	}

	/** Stops the client. A runtime of its own exits; the shared runtime only sees this window leave. */
	async stop(): Promise<void> {
		const client = this.client;
		this.client = undefined;
		this.clientSubscription?.dispose();
		this.clientSubscription = undefined;
		this.connecting?.abort();
		this.connecting = undefined;
		this.exitRequested = false;
		this.connectionUp = false;
		if (client && client.state !== State.Stopped) {
			await client.stop(5_000).catch(error => this.log.warn(`Stopping the runtime: ${errorMessage(error)}`));
		}
		this.socket?.destroy();
		this.socket = undefined;
		this.setState({ kind: 'stopped', message: 'The runtime is stopped.' });
	}

	override dispose(): void {
		void this.stop();
		super.dispose();
	}

	private route(client: LanguageClient, method: string): void {
		client.onNotification(method, (params: unknown) => {
			for (const handler of this.handlers.get(method) ?? []) {
				try {
					handler(params);
				} catch (error) {
					this.log.error(`Handling ${method}: ${errorMessage(error)}`);
				}
			}
		});
	}

	/** Called by the LanguageClient for each (re)connection in shared mode: it has no process to spawn, only a socket. */
	private async connectToShared(): Promise<{ reader: Duplex; writer: Duplex }> {
		const attempt = new AbortController();
		this.connecting = attempt;
		try {
			const socket = await this.connectShared(attempt.signal);
			if (attempt.signal.aborted) {
				socket.destroy();
				throw new Error('The window stopped its runtime client.');
			}
			this.socket = socket;
			this.connectError = undefined;
			return { reader: socket, writer: socket };
		} catch (error) {
			this.connectError = errorMessage(error);
			throw error;
		} finally {
			if (this.connecting === attempt) {
				this.connecting = undefined;
			}
		}
	}

	private onClientState(client: LanguageClient, state: State): void {
		if (client !== this.client) {
			return;
		}
		if (state === State.Running) {
			this.connectionUp = true;
			this.connectEmitter.fire();
		} else if (state === State.Stopped && this.state.kind === 'starting') {
			// A reconnect after a crash that failed (no runtime could be started): the client gave up.
			const why = this.connectError ? ` ${this.connectError}` : ' Run Bora: Restart Runtime, or see the log.';
			this.setState({ kind: 'stopped', message: `Bora's ${this.shared ? 'shared ' : ''}runtime could not be reached again.${why}` });
		}
	}

	private createClient(): LanguageClient {
		const serverOptions: ServerOptions = this.shared
			? () => this.connectToShared()
			: {
				// The languageclient adds these to the extension host's environment.
				run: { module: this.serverModule, transport: TransportKind.ipc, options: { env: runtimeProcessEnv(process.env) } },
				debug: { module: this.serverModule, transport: TransportKind.ipc, options: { env: runtimeProcessEnv(process.env), execArgv: ['--inspect=6019'] } },
			};
		const clientOptions: LanguageClientOptions = {
			documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
			// A function, so a restart after a crash starts with the current settings.
			initializationOptions: () => getRuntimeSettings(this.storageDir),
			outputChannel: this.log,
			traceOutputChannel: this.traceLog,
			errorHandler: {
				// A read or write error (ECONNRESET when the runtime is killed) comes with the close; only the
				// close's notice is shown, so the user gets one message that says what happened.
				error: (error): ErrorHandlerResult => {
					this.log.warn(`Connection to the runtime: ${errorMessage(error)}`);
					return { action: ErrorAction.Continue, handled: true };
				},
				closed: () => this.onRuntimeClosed(),
			},
			// A connection that closes while initializing is handled by `closed` (a reconnect within the crash limit), not by a second error toast.
			initializationFailedHandler: error => {
				this.log.warn(`Initializing the runtime connection: ${errorMessage(error)}`);
				return false;
			},
			middleware: Object.assign({}, ...this.middlewares) as Middleware,
		};
		return new LanguageClient('bora', 'Bora Runtime', serverOptions, clientOptions);
	}

	private onRuntimeClosed(): CloseHandlerResult {
		this.socket?.destroy();
		this.socket = undefined;
		if (this.exitRequested) {
			// Restart Runtime from this window: the runtime exited as asked; reconnecting starts the new one.
			this.exitRequested = false;
			this.connectionUp = false;
			this.log.info('The shared runtime exited as asked; reconnecting.');
			this.setState({ kind: 'starting' });
			return { action: CloseAction.Restart, handled: true };
		}
		const runtime = this.shared ? 'shared runtime' : 'runtime';
		// A connection that never got through initialize (a runtime that exited as it lost the race to
		// listen, say) was not the user's runtime yet: counted, but the notice of the first close stands.
		const wasUp = this.connectionUp;
		this.connectionUp = false;
		const decision = this.restartPolicy.onCrash(Date.now());
		if (!decision.restart) {
			const message = `Bora's ${runtime} stopped ${decision.crashes} times in ${decision.windowMinutes} minutes and will not be ${this.shared ? 'reconnected' : 'restarted'} automatically.`;
			this.setState({ kind: 'stopped', message });
			void vscode.window.showErrorMessage(message, 'Show Log', 'Restart Runtime').then(choice => this.onNoticeChoice(choice));
			return { action: CloseAction.DoNotRestart, handled: true };
		}
		this.setState({ kind: 'starting' });
		const notice = this.shared
			// Another window may have started the new runtime first; this one reconnects to it either way.
			? "Bora's shared runtime stopped (unexpectedly, or restarted from another window) and was restarted; this window reconnected to it."
			: "Bora's runtime stopped unexpectedly and was restarted.";
		if (wasUp) {
			void vscode.window.showWarningMessage(notice, 'Show Log').then(choice => this.onNoticeChoice(choice));
		} else {
			this.log.warn(`The ${runtime} closed the connection before it was initialized; connecting again.`);
		}
		return { action: CloseAction.Restart, handled: true };
	}

	private onNoticeChoice(choice: string | undefined): void {
		if (choice === 'Show Log') {
			this.log.show();
		} else if (choice === 'Restart Runtime') {
			void this.restartRuntime();
		}
	}

	private setState(state: ClientState): void {
		this.state = state;
		this.stateEmitter.fire(state);
	}
}

/** The message, and the action when the error carries one (a shared runtime that cannot be reached or started says what to do). */
function errorMessage(error: unknown): string {
	if (!(error instanceof Error)) {
		return String(error);
	}
	return 'action' in error && typeof error.action === 'string' ? `${error.message} ${error.action}` : error.message;
}
