import * as vscode from 'vscode';
import {
	CloseAction, DidChangeConfigurationNotification, ErrorAction, LanguageClient, State, TransportKind,
	type CloseHandlerResult, type ErrorHandlerResult, type LanguageClientOptions, type Middleware, type NotificationType, type RequestType, type RequestType0, type ServerOptions,
} from 'vscode-languageclient/node';
import { RuntimeStateNotification, RuntimeStateRequest } from '../shared/protocol';
import { runtimeProcessEnv } from '../shared/runtimeThreadPool';
import type { ClientState } from './ClientState';
import { Disposable } from './dispose';
import { RestartPolicy } from './RestartPolicy';
import { getRuntimeSettings } from './settings';

export type { ClientState } from './ClientState';

type Handler = (params: unknown) => void;

/**
 * The transport to Bora's runtime process and its restart policy: owns the LanguageClient, starts,
 * stops and restarts it, pushes settings, restarts it when it dies (within {@link RestartPolicy})
 * and tracks the state it reports. Features talk to the runtime only through `request`, `notify` and
 * `onNotification`, which outlive restarts; all model work happens in that process.
 */
export class RuntimeClient extends Disposable {
	private client: LanguageClient | undefined;
	private state: ClientState = { kind: 'starting' };
	private readonly restartPolicy = new RestartPolicy();
	/** Handlers by method; each LanguageClient gets one route per method, since it keeps only one handler each. */
	private readonly handlers = new Map<string, Set<Handler>>();
	private readonly middlewares = new Set<Middleware>();
	private readonly stateEmitter = this._register(new vscode.EventEmitter<ClientState>());
	private readonly startEmitter = this._register(new vscode.EventEmitter<void>());
	readonly onDidChangeState = this.stateEmitter.event;
	/** Fires when `start` has the runtime up and its state known (not after the client's own restart after a crash). */
	readonly onDidStart = this.startEmitter.event;

	/** @param storageDir The extension's global storage; the runtime keeps its speed forecasts there. */
	constructor(private readonly serverModule: string, private readonly log: vscode.LogOutputChannel, private readonly storageDir: string) {
		super();
		this._register(this.onNotification(RuntimeStateNotification.type, runtime => this.setState({ kind: 'runtime', runtime })));
	}

	get currentState(): ClientState {
		return this.state;
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
		const client = this.createClient();
		this.client = client;
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

	async restart(): Promise<void> {
		await this.stop();
		await this.start();
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

	async stop(): Promise<void> {
		const client = this.client;
		this.client = undefined;
		if (client && client.state !== State.Stopped) {
			await client.stop(5_000).catch(error => this.log.warn(`Stopping the runtime: ${errorMessage(error)}`));
		}
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

	private createClient(): LanguageClient {
		const serverOptions: ServerOptions = {
			// The languageclient adds these to the extension host's environment.
			run: { module: this.serverModule, transport: TransportKind.ipc, options: { env: runtimeProcessEnv(process.env) } },
			debug: { module: this.serverModule, transport: TransportKind.ipc, options: { env: runtimeProcessEnv(process.env), execArgv: ['--inspect=6019'] } },
		};
		const clientOptions: LanguageClientOptions = {
			documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
			// A function, so a restart after a crash starts with the current settings.
			initializationOptions: () => getRuntimeSettings(this.storageDir),
			outputChannel: this.log,
			errorHandler: {
				error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue }),
				closed: () => this.onRuntimeClosed(),
			},
			middleware: Object.assign({}, ...this.middlewares) as Middleware,
		};
		return new LanguageClient('bora', 'Bora Runtime', serverOptions, clientOptions);
	}

	private onRuntimeClosed(): CloseHandlerResult {
		const decision = this.restartPolicy.onCrash(Date.now());
		if (!decision.restart) {
			const message = `Bora's runtime stopped ${decision.crashes} times in ${decision.windowMinutes} minutes and will not be restarted automatically.`;
			this.setState({ kind: 'stopped', message });
			void vscode.window.showErrorMessage(message, 'Show Log', 'Restart Runtime').then(choice => this.onNoticeChoice(choice));
			return { action: CloseAction.DoNotRestart, handled: true };
		}
		this.setState({ kind: 'starting' });
		void vscode.window.showWarningMessage("Bora's runtime stopped unexpectedly and was restarted.", 'Show Log').then(choice => this.onNoticeChoice(choice));
		return { action: CloseAction.Restart, handled: true };
	}

	private onNoticeChoice(choice: string | undefined): void {
		if (choice === 'Show Log') {
			this.log.show();
		} else if (choice === 'Restart Runtime') {
			void this.restart();
		}
	}

	private setState(state: ClientState): void {
		this.state = state;
		this.stateEmitter.fire(state);
	}
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
