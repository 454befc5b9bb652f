import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import {
	createProtocolConnection, DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, DidChangeConfigurationNotification,
	ExitNotification, InitializedNotification, InitializeRequest, InlineCompletionRequest, IPCMessageReader, IPCMessageWriter,
	ShutdownRequest, StreamMessageReader, StreamMessageWriter, type InitializeResult, type InlineCompletionList, type ProtocolConnection,
	CancellationTokenSource, InlineCompletionTriggerKind, LogMessageNotification, SocketMessageReader, SocketMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { connectOrStart } from '../../src/shared/connectSharedRuntime';
import {
	buildHashOf, sharedRuntimeEndpoint, SharedRuntimeStatusNotification, SharedRuntimeStatusRequest, WindowStateNotification, type SharedRuntimeStatus,
} from '../../src/shared/sharedRuntime';
import { serverModule } from './paths';
import { runtimeProcessEnv } from '../../src/shared/runtimeThreadPool';
import {
	ChatChunkNotification, ChatRequest, CompletionStatsNotification, EditorContextNotification, RuntimeStateNotification, RuntimeStateRequest,
	type ChatChunk, type ChatParams, type ChatResult, type CompletionStatsInfo, type EditorContextParams, type RuntimeSettings, type RuntimeState,
} from '../../src/shared/protocol';

export interface StartOptions {
	/**
	 * `stdio` runs the server as another editor would; `ipc` as VS Code does with bora.runtime.shared
	 * off; `socket` connects to the shared runtime of `serverModule` as a VS Code window does (through
	 * `connectOrStart`, starting it detached when none answers; `args` go to a runtime it starts).
	 * Defaults to `stdio`.
	 */
	readonly transport?: 'stdio' | 'ipc' | 'socket';
	/** For `socket`: the environment of the runtime, and where its folder is (`BORA_RUNTIME_DIR`). Defaults to `process.env`. */
	readonly env?: NodeJS.ProcessEnv;
	readonly args?: readonly string[];
	readonly initializationOptions?: Partial<RuntimeSettings>;
	/** The workspace folder the client says it has open. Defaults to none. */
	readonly rootUri?: string;
	/** The server bundle to run; defaults to the repository's `dist/server.mjs`. */
	readonly serverModule?: string;
}

/** A real Bora runtime process with a real LSP connection to it, for integration tests. */
export class RuntimeServerProcess {
	readonly states: RuntimeState[] = [];
	readonly logs: string[] = [];
	/** Every `bora/chatChunk` received, in arrival order. */
	readonly chatChunks: ChatChunk[] = [];
	/** Every `bora/completionStats` received: one per generation a request asked for. */
	readonly completionStats: CompletionStatsInfo[] = [];
	private chatChunkWaiters: Array<() => void> = [];
	private logWaiters: Array<() => void> = [];
	private stateWaiters: Array<() => void> = [];
	private nextVersion = new Map<string, number>();

	/** Every `bora/sharedRuntimeStatusChanged` received (socket transport), oldest first. */
	readonly sharedStatuses: SharedRuntimeStatus[] = [];

	private constructor(private readonly child: ChildProcess | undefined, readonly socket: Socket | undefined, readonly connection: ProtocolConnection, readonly initializeResult: InitializeResult) { }

	/** The runtime process this client started and owns (stdio and IPC transports). */
	get process(): ChildProcess {
		if (!this.child) {
			throw new Error('A socket client does not own the shared runtime process; ask sharedStatus() for its pid.');
		}
		return this.child;
	}

	static async start({ transport = 'stdio', args = [], initializationOptions, rootUri, serverModule: serverPath = serverModule, env: baseEnv = process.env }: StartOptions = {}): Promise<RuntimeServerProcess> {
		// The environment the extension starts the runtime with.
		const env = { ...baseEnv, ...runtimeProcessEnv(baseEnv) };
		const socket = transport === 'socket'
			? await connectOrStart({ serverModule: serverPath, endpoint: sharedRuntimeEndpoint({ buildHash: buildHashOf(serverPath), env: baseEnv }), env: baseEnv, args })
			: undefined;
		const child = transport === 'socket' ? undefined : transport === 'stdio'
			? spawn(process.execPath, [serverPath, '--stdio', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env })
			: fork(serverPath, ['--node-ipc', ...args], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env });
		const stderr: string[] = [];
		child?.stderr!.on('data', chunk => stderr.push(String(chunk)));
		const connection = socket ? createProtocolConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket))
			: transport === 'stdio'
				? createProtocolConnection(new StreamMessageReader(child!.stdout!), new StreamMessageWriter(child!.stdin!))
				: createProtocolConnection(new IPCMessageReader(child!), new IPCMessageWriter(child!));
		const pending: RuntimeState[] = [];
		let server: RuntimeServerProcess | undefined;
		connection.onNotification(RuntimeStateNotification.type, state => {
			if (server) {
				server.onState(state);
			} else {
				pending.push(state);
			}
		});
		const logs: string[] = [];
		connection.onNotification(LogMessageNotification.type, ({ message }) => {
			logs.push(message);
		});
		connection.listen();
		const exited = child
			? once(child, 'exit').then(([code]) => { throw new Error(`Runtime exited with ${code} before initializing: ${stderr.join('')}`); })
			: once(socket!, 'close').then(() => { throw new Error('The shared runtime closed the connection before initializing'); });
		const result = await Promise.race([
			connection.sendRequest(InitializeRequest.type, {
				processId: process.pid, rootUri: rootUri ?? null, capabilities: {}, initializationOptions,
				...(rootUri ? { workspaceFolders: [{ uri: rootUri, name: rootUri.split('/').pop()! }] } : {}),
			}),
			exited,
		]);
		server = new RuntimeServerProcess(child, socket, connection, result);
		connection.onNotification(SharedRuntimeStatusNotification.method, (status: SharedRuntimeStatus) => { server!.sharedStatuses.push(status); });
		server.logs.push(...logs);
		connection.onNotification(LogMessageNotification.type, ({ message }) => {
			server!.logs.push(message);
			const waiters = server!.logWaiters;
			server!.logWaiters = [];
			waiters.forEach(wake => wake());
		});
		connection.onNotification(CompletionStatsNotification.type, stats => {
			server!.completionStats.push(stats);
		});
		pending.forEach(state => server!.onState(state));
		connection.onNotification(ChatChunkNotification.type, chunk => server!.onChatChunk(chunk));
		await connection.sendNotification(InitializedNotification.type, {});
		return server;
	}

	get state(): RuntimeState | undefined {
		return this.states.at(-1);
	}

	/** Resolves when the latest state has this kind (and passes `where`); waits on notifications, never on timers. */
	async waitForState<K extends RuntimeState['kind']>(kind: K, where: (state: Extract<RuntimeState, { kind: K }>) => boolean = () => true, timeoutMs = 60_000): Promise<Extract<RuntimeState, { kind: K }>> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const last = this.state;
			if (last?.kind === kind && where(last as Extract<RuntimeState, { kind: K }>)) {
				return last as Extract<RuntimeState, { kind: K }>;
			}
			if (Date.now() > deadline) {
				throw new Error(`Timed out waiting for runtime state "${kind}"; states so far: ${JSON.stringify(this.states)}`);
			}
			await new Promise<void>(resolve => {
				const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
				this.stateWaiters.push(() => { clearTimeout(timer); resolve(); });
			});
		}
	}

	/** Opens a document whose text marks the cursor with `|`; returns the cursor position. */
	async open(uri: string, textWithCursor: string, languageId = 'javascript') {
		const { text, position } = splitCursor(textWithCursor);
		this.nextVersion.set(uri, 2);
		await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
		return position;
	}

	async replaceText(uri: string, textWithCursor: string) {
		const { text, position } = splitCursor(textWithCursor);
		const version = this.nextVersion.get(uri) ?? 2;
		this.nextVersion.set(uri, version + 1);
		await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
		return position;
	}

	/** Sends `bora/editorContext`, as the extension does when the active editor or what it shows changes. */
	async editorContext(params: EditorContextParams): Promise<void> {
		await this.connection.sendNotification(EditorContextNotification.type, params);
	}

	async configure(settings: Partial<RuntimeSettings>): Promise<void> {
		await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings });
	}

	/** Asks for inline completion as typing does, or with `Invoked` as an explicit request or cycling (Alt+]) does. */
	complete(uri: string, position: { line: number; character: number }, token = new CancellationTokenSource().token, triggerKind: InlineCompletionTriggerKind = InlineCompletionTriggerKind.Automatic): Promise<InlineCompletionList | null> {
		return this.connection.sendRequest(InlineCompletionRequest.type, {
			textDocument: { uri },
			position,
			context: { triggerKind },
		}, token) as Promise<InlineCompletionList | null>;
	}

	/**
	 * A round trip to the server: every message sent before it has been dispatched, and the handlers
	 * of requests sent before it have started their work.
	 */
	async roundTrip(): Promise<void> {
		await this.connection.sendRequest(RuntimeStateRequest.type);
	}

	/** Resolves with the first log line that matches; waits on notifications, never polls. */
	async waitForLog(pattern: RegExp | ((line: string) => boolean), timeoutMs = 60_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		const matches = typeof pattern === 'function' ? pattern : (line: string) => pattern.test(line);
		for (;;) {
			const line = this.logs.find(matches);
			if (line !== undefined) {
				return line;
			}
			if (Date.now() > deadline) {
				throw new Error(`Timed out waiting for a log line matching ${String(pattern)}; log so far:\n${this.logs.join('\n')}`);
			}
			await new Promise<void>(resolve => {
				const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
				this.logWaiters.push(() => { clearTimeout(timer); resolve(); });
			});
		}
	}

	/** Sends `bora/chat`; its chunks collect in {@link chatChunks}. */
	chat(params: ChatParams, token = new CancellationTokenSource().token): Promise<ChatResult> {
		return this.connection.sendRequest(ChatRequest.type, params, token);
	}

	chatChunksOf(chatId: string): ChatChunk[] {
		return this.chatChunks.filter(chunk => chunk.chatId === chatId);
	}

	/** Resolves once `count` chunks of this chat have arrived; waits on notifications, never on timers. */
	async waitForChatChunks(chatId: string, count: number): Promise<void> {
		while (this.chatChunksOf(chatId).length < count) {
			await new Promise<void>(resolve => this.chatChunkWaiters.push(resolve));
		}
	}

	/** `bora/sharedRuntimeStatus`: the windows and models of the runtime. */
	sharedStatus(): Promise<SharedRuntimeStatus> {
		return this.connection.sendRequest(SharedRuntimeStatusRequest.type);
	}

	/** Sends `bora/windowState`, as each VS Code window does. */
	async windowState(name: string, focused: boolean): Promise<void> {
		await this.connection.sendNotification(WindowStateNotification.type, { name, focused });
	}

	/** Whether the connection (socket) or process (stdio, IPC) is gone. */
	get closed(): boolean {
		return this.socket ? this.socket.destroyed : this.process.exitCode !== null || this.process.signalCode !== null;
	}

	async stop(): Promise<void> {
		if (this.socket) {
			if (this.socket.destroyed) {
				this.connection.dispose();
				return;
			}
			const closed = once(this.socket, 'close');
			try {
				await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise(resolve => setTimeout(resolve, 5_000))]);
				await this.connection.sendNotification(ExitNotification.type);
			} catch {
				// Already gone: closing below is all that is left.
			}
			const timer = setTimeout(() => this.socket!.destroy(), 5_000);
			await closed;
			clearTimeout(timer);
			this.connection.dispose();
			return;
		}
		if (this.process.exitCode !== null) {
			return;
		}
		const exited = once(this.process, 'exit');
		try {
			await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise(resolve => setTimeout(resolve, 5_000))]);
			await this.connection.sendNotification(ExitNotification.type);
		} catch {
			// Already gone: killing below is all that is left.
		}
		const timer = setTimeout(() => this.process.kill('SIGKILL'), 5_000);
		await exited;
		clearTimeout(timer);
		this.connection.dispose();
	}

	private onChatChunk(chunk: ChatChunk): void {
		this.chatChunks.push(chunk);
		const waiters = this.chatChunkWaiters;
		this.chatChunkWaiters = [];
		waiters.forEach(wake => wake());
	}

	private onState(state: RuntimeState): void {
		this.states.push(state);
		const waiters = this.stateWaiters;
		this.stateWaiters = [];
		waiters.forEach(wake => wake());
	}
}

export function splitCursor(textWithCursor: string): { text: string; position: { line: number; character: number } } {
	const offset = textWithCursor.indexOf('|');
	if (offset < 0) {
		throw new Error('Mark the cursor with |');
	}
	const before = textWithCursor.slice(0, offset);
	const lines = before.split('\n');
	return { text: before + textWithCursor.slice(offset + 1), position: { line: lines.length - 1, character: lines.at(-1)!.length } };
}
