import * as vscode from 'vscode';
import {
	CloseAction, DidChangeConfigurationNotification, ErrorAction, LanguageClient, ResponseError, State, TransportKind,
	type CloseHandlerResult, type ErrorHandlerResult, type LanguageClientOptions, type NotificationType, type RequestType, type RequestType0, type ServerOptions,
} from 'vscode-languageclient/node';
import {
	BoraErrorCodes, ChatChunkNotification, ChatRequest, CompletionStatsNotification, EditorContextNotification, ExplainImageRequest, RuntimeStateNotification, RuntimeStateRequest,
	type CompletionStatsInfo, type ExplainImageParams, type ExplainImageResult,
	type ChatChunk, type ChatParams, type ChatResult, type RuntimeErrorInfo,
} from '../shared/protocol';
import { completionModeOf } from '../shared/completionMode';
import type { ClientState } from './ClientState';
import { getRuntimeSettings, getSettings } from './settings';
import { InlineTriggerGate } from './completion/InlineTriggerGate';
import { EditorContextReporter } from './completion/EditorContextReporter';

export type { ClientState } from './ClientState';

const maxRestarts = 4;
const restartWindowMs = 3 * 60_000;

/**
 * Owns the LanguageClient that talks to Bora's runtime process: starts it, pushes settings,
 * restarts it when it dies and tracks the state it reports. All model work happens in that process.
 */
export class RuntimeClient implements vscode.Disposable {
	private client: LanguageClient | undefined;
	private state: ClientState = { kind: 'starting' };
	private readonly stateEmitter = new vscode.EventEmitter<ClientState>();
	private readonly completionEmitter = new vscode.EventEmitter<readonly vscode.InlineCompletionItem[]>();
	private readonly crashes: number[] = [];
	/** Chunk listeners of the chat requests in flight, by `chatId`. */
	private readonly chatListeners = new Map<string, (chunk: ChatChunk) => void>();
	readonly onDidChangeState = this.stateEmitter.event;
	/** Fires with the suggestions the runtime returned for each inline completion request. */
	readonly onDidProvideInlineCompletions = this.completionEmitter.event;
	private readonly completionStatsEmitter = new vscode.EventEmitter<CompletionStatsInfo>();
	private lastStats: CompletionStatsInfo | undefined;
	/** Fires with what each inline completion request cost (tokens, times, cache hit). */
	readonly onDidReportCompletionStats = this.completionStatsEmitter.event;
	/** Debounce and politeness for automatic inline completion requests. */
	private readonly triggerGate = new InlineTriggerGate(() => this.lastStats?.totalMs ?? 0);
	/** The active editor, what it shows and (when allowed) copied text, for completion's extra context. */
	private readonly editorContext = new EditorContextReporter(params => {
		if (this.client?.state === State.Running) {
			void this.client.sendNotification(EditorContextNotification.type, params);
		}
	});

	/** @param storageDir The extension's global storage; the runtime keeps its speed forecasts there. */
	constructor(private readonly serverModule: string, private readonly log: vscode.LogOutputChannel, private readonly storageDir: string) { }

	get currentState(): ClientState {
		return this.state;
	}

	/** The latest inline completion request's stats, for the status tooltip. */
	get lastCompletionStats(): CompletionStatsInfo | undefined {
		return this.lastStats;
	}

	async start(): Promise<void> {
		const client = this.createClient();
		this.client = client;
		this.setState({ kind: 'starting' });
		client.onNotification(RuntimeStateNotification.type, runtime => this.setState({ kind: 'runtime', runtime }));
		client.onNotification(ChatChunkNotification.type, chunk => this.chatListeners.get(chunk.chatId)?.(chunk));
		client.onNotification(CompletionStatsNotification.type, stats => {
			this.lastStats = stats;
			this.completionStatsEmitter.fire(stats);
		});
		try {
			await client.start();
			this.setState({ kind: 'runtime', runtime: await client.sendRequest(RuntimeStateRequest.type) });
			this.editorContext.report();
		} catch (error) {
			this.setState({ kind: 'stopped', message: `Bora's runtime did not start: ${errorMessage(error)}` });
		}
	}

	async restart(): Promise<void> {
		await this.stop();
		await this.start();
	}

	pushSettings(): void {
		if (this.client?.state === State.Running) {
			void this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: getRuntimeSettings(this.storageDir) });
		}
	}

	/**
	 * Sends one chat request; `onChunk` gets its streamed pieces until it settles. Cancelling `token`
	 * sends `$/cancelRequest`. Rejects when the runtime is not running, fails the request or crashes.
	 */
	async chat(params: ChatParams, onChunk: (chunk: ChatChunk) => void, token: vscode.CancellationToken): Promise<ChatResult> {
		const client = this.client;
		if (!client || client.state !== State.Running) {
			throw new Error(this.state.kind === 'stopped' ? this.state.message : "Bora's runtime is not running yet.");
		}
		this.chatListeners.set(params.chatId, onChunk);
		try {
			return await client.sendRequest(ChatRequest.type, params, token);
		} finally {
			this.chatListeners.delete(params.chatId);
		}
	}

	/**
	 * Asks about one image; its answer streams to `onChunk` like a chat answer (chunks by `chatId`).
	 * Cancelling `token` sends `$/cancelRequest`. Rejects like {@link chat}.
	 */
	async explainImage(params: ExplainImageParams, onChunk: (chunk: ChatChunk) => void, token: vscode.CancellationToken): Promise<ExplainImageResult> {
		const client = this.client;
		if (!client || client.state !== State.Running) {
			throw new Error(this.state.kind === 'stopped' ? this.state.message : "Bora's runtime is not running yet.");
		}
		this.chatListeners.set(params.chatId, onChunk);
		try {
			return await client.sendRequest(ExplainImageRequest.type, params, token);
		} finally {
			this.chatListeners.delete(params.chatId);
		}
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

	/** Listens to a runtime notification on the running client (until disposed or the runtime restarts). */
	onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): vscode.Disposable {
		return this.client?.onNotification(type, handler) ?? new vscode.Disposable(() => undefined);
	}

	async stop(): Promise<void> {
		const client = this.client;
		this.client = undefined;
		if (client && client.state !== State.Stopped) {
			await client.stop(5_000).catch(error => this.log.warn(`Stopping the runtime: ${errorMessage(error)}`));
		}
		this.setState({ kind: 'stopped', message: 'The runtime is stopped.' });
	}

	dispose(): void {
		void this.stop();
		this.stateEmitter.dispose();
		this.completionEmitter.dispose();
		this.completionStatsEmitter.dispose();
		this.triggerGate.dispose();
		this.editorContext.dispose();
	}

	private createClient(): LanguageClient {
		const serverOptions: ServerOptions = {
			run: { module: this.serverModule, transport: TransportKind.ipc },
			debug: { module: this.serverModule, transport: TransportKind.ipc, options: { execArgv: ['--inspect=6019'] } },
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
			middleware: {
				provideInlineCompletionItems: async (document, position, context, token, next) => {
					// No round trip while the runtime cannot answer; the status bar already says why.
					if (!this.canComplete()) {
						return null;
					}
					if (!(await this.triggerGate.allows(context, token))) {
						return null;
					}
					await this.editorContext.beforeCompletion();
					try {
						const result = await next(document, position, context, token);
						if (result && !token.isCancellationRequested) {
							this.completionEmitter.fire(Array.isArray(result) ? result : result.items);
						}
						return result;
					} catch (error) {
						if (error instanceof ResponseError && error.code === BoraErrorCodes.unavailable) {
							this.log.warn(`Completion unavailable: ${(error.data as RuntimeErrorInfo | undefined)?.message ?? error.message}`);
							return null;
						}
						throw error;
					}
				},
			},
		};
		return new LanguageClient('bora', 'Bora Runtime', serverOptions, clientOptions);
	}

	private canComplete(): boolean {
		const state = this.state;
		const settings = getSettings();
		return state.kind === 'runtime' && state.runtime.kind === 'ready' && completionModeOf(state.runtime.model, settings.completionMode) !== 'none' && settings.completionEnabled;
	}

	private onRuntimeClosed(): CloseHandlerResult {
		const now = Date.now();
		this.crashes.push(now);
		while (this.crashes.length > 0 && now - this.crashes[0] > restartWindowMs) {
			this.crashes.shift();
		}
		if (this.crashes.length > maxRestarts) {
			const message = `Bora's runtime stopped ${this.crashes.length} times in 3 minutes and will not be restarted automatically.`;
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
