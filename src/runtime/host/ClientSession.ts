import type { BackendCompletionRequest, BackendCompletionResult, BackendPrefillRequest, BackendPrefillResult, CompletionAvailability, CompletionBackend } from '../completion/CompletionBackend';
import type { CompletionDocuments } from '../completion/CompletionDocument';
import { CompletionService } from '../completion/CompletionService';
import { RuntimeError } from '../errors/RuntimeError';
import type { WorkspaceFolders } from '../completion/extraContext/WorkspaceNames';
import type { Logger } from '../Logger';
import type { Runtime } from '../Runtime';
import type { Disposable } from '../state/RuntimeStatus';
import type { Scheduler } from '../scheduler/Scheduler';
import type { ChatEngineRequest, ChatEngineResult } from '../chat/ChatEngine';
import { RemoteEngine, type RemoteEngineOptions } from '../remote/RemoteEngine';
import type { ExplainImageResult } from '../vision/VisionEngine';
import type { ImageQuestion, VisionStatus } from '../vision/VisionService';
import type { RemoteEngineReport, RemoteEngineStatus } from '../../shared/protocol';
import { defaultRuntimeSettings, type RuntimeSettings, type RuntimeState } from '../../shared/types';

/** What a session needs from the process that hosts it (see `RuntimeHost`). */
export interface SessionHost {
	/** The runtime for these settings: shared with the sessions whose load settings are equal, else a new one. */
	attach(session: ClientSession, settings: RuntimeSettings): Runtime;
	/** The session left, or moved to another runtime: the one it used is freed when nobody else uses it. */
	detach(session: ClientSession, runtime: Runtime): void;
	/** Something the shared status shows changed (name, focus, models). */
	changed(): void;
}

export interface ClientSessionOptions {
	/** Chosen by the host, unique while it runs ("w1", "w2", …); the scheduler's `clientId`. */
	readonly id: string;
	readonly host: SessionHost;
	/** The client's open documents. */
	readonly documents: CompletionDocuments;
	/** The session's log (the shared runtime's names the window on each line). */
	readonly logger: Logger;
	/** The process's scheduler, where the idle prefill measures its quiet time. */
	readonly scheduler: Scheduler;
	/** The settings before the client says otherwise (the command line's). Defaults to the schema's defaults. */
	readonly settings?: RuntimeSettings;
	/** Options of the remote engine this session creates when bora.engine is `remote` (tests set short budgets). Defaults to the engine's. */
	readonly remoteOptions?: Omit<RemoteEngineOptions, 'logger'>;
}

/**
 * One client (an editor window) of a runtime process, transport-free: its documents, its completion
 * service (extra-context ring, editor context, caches, requests in flight), the settings it sent and
 * what it calls itself. The model work goes to the {@link Runtime} its load settings share with other
 * sessions, with the session's id as the scheduler's client, so nothing of one window's documents
 * reaches another's prompts and cancelling here cancels only this window's work.
 */
export class ClientSession implements CompletionBackend {
	readonly id: string;
	readonly completion: CompletionService;
	/** What the user calls the window (its workspace's name). */
	name = 'Untitled window';
	focused = false;
	/** The client's process id from `initialize`. */
	pid: number | undefined;
	private currentSettings: RuntimeSettings;
	private attached: { runtime: Runtime; subscription: Disposable } | undefined;
	private readonly stateListeners = new Set<(state: RuntimeState) => void>();
	/** The session's log: its client's, each line naming the window when the runtime is shared. */
	readonly logger: Logger;
	private readonly closeListeners = new Set<() => void>();
	private wasReady = false;
	private closed = false;
	/**
	 * bora.engine = remote: this window's engine on the configured server, with its own API key.
	 * The session then still holds a runtime (the Models view's catalog and downloads), with nothing to load.
	 */
	private remote: { engine: RemoteEngine; subscription: Disposable } | undefined;
	private remoteApiKey: string | null = null;

	constructor(private readonly options: ClientSessionOptions) {
		this.id = options.id;
		this.logger = options.logger;
		this.currentSettings = options.settings ?? defaultRuntimeSettings;
		this.completion = new CompletionService({ backend: this, documents: options.documents, logger: options.logger, scheduler: options.scheduler });
	}

	get settings(): RuntimeSettings {
		return this.currentSettings;
	}

	/** The runtime this session's model work goes to; attached by the first {@link configure}. */
	get runtime(): Runtime {
		if (!this.attached) {
			throw new Error(`Client ${this.id} has no runtime before its settings arrive.`);
		}
		return this.attached.runtime;
	}

	/** The runtime the session uses now; none before its first {@link configure} and after {@link close}. */
	get attachedRuntime(): Runtime | undefined {
		return this.attached?.runtime;
	}

	/** Its engine's state: the remote engine's, else its runtime's; "no model" before the settings arrive. */
	get runtimeState(): RuntimeState {
		return this.remote?.engine.state ?? this.attached?.runtime.state ?? { kind: 'idle', reason: notConfigured };
	}

	/** Paths of the models this session uses, for the shared status (none on a remote engine). */
	get modelPaths(): readonly string[] {
		if (this.remote) {
			return [];
		}
		const { modelPath, chatModelPath } = this.currentSettings;
		return [...new Set([modelPath, chatModelPath ?? ''].filter(path => path !== ''))];
	}

	setWorkspace(workspace: WorkspaceFolders): void {
		this.completion.setWorkspace(workspace);
	}

	/**
	 * Applies the client's settings: its completion service takes them, and its runtime, which is
	 * another one when the load settings changed (the old one is freed when nobody else uses it).
	 * `configured` settles when the runtime has applied them (a load, when one was needed).
	 */
	configure(settings: RuntimeSettings): { configured: Promise<void> } {
		this.currentSettings = settings;
		this.completion.configure(settings);
		const wasRemote = this.remote !== undefined;
		this.configureRemote(settings);
		// A remote engine loads nothing here: the runtime it keeps for the Models view has no model to load.
		const local = this.remote ? { ...settings, modelPath: '', chatModelPath: '', mmprojPath: '', draftModelPath: '' } : settings;
		const previous = this.attached;
		const runtime = this.options.host.attach(this, local);
		const joined = previous?.runtime !== runtime;
		if (joined) {
			previous?.subscription.dispose();
			this.attached = { runtime, subscription: runtime.onDidChangeState(state => this.onRuntimeState(state)) };
			this.wasReady = runtime.state.kind === 'ready';
			if (previous) {
				this.options.host.detach(this, previous.runtime);
			}
		}
		this.options.host.changed();
		const configured = runtime.configure(local);
		if (wasRemote !== (this.remote !== undefined)) {
			// The engine changed sides: the client hears the new one's state even if it does not change again.
			this.emitState(this.runtimeState);
		}
		return { configured };
	}

	/** The window's API key for the remote engine (`bora/remote/apiKey`), kept for when it switches to remote. */
	setRemoteApiKey(apiKey: string | null): void {
		this.remoteApiKey = apiKey;
		this.remote?.engine.setApiKey(apiKey);
	}

	/** The remote engine as the Models view shows it; null in local mode. */
	remoteStatus(): RemoteEngineStatus | null {
		return this.remote?.engine.status() ?? null;
	}

	/** **Bora: Test Remote Engine**; refused in local mode. */
	testRemote(signal?: AbortSignal): Promise<RemoteEngineReport> {
		if (!this.remote) {
			return Promise.reject(new RuntimeError({ code: 'remoteNotConfigured', message: 'bora.engine is "local": there is no remote engine to test.', action: 'Set bora.engine to "remote" and bora.remote.url to the server.' }));
		}
		return this.remote.engine.test(signal);
	}

	/** A chat answer from this window's engine. */
	chat(request: ChatEngineRequest): Promise<ChatEngineResult> {
		return this.remote ? this.remote.engine.chat(request) : this.runtime.chat(request);
	}

	/** An image question to this window's engine. */
	explainImage(question: ImageQuestion): Promise<ExplainImageResult> {
		return this.remote ? this.remote.engine.explainImage(question) : this.runtime.explainImage(question);
	}

	/** Whether this window's engine answers image questions now, and why not. */
	visionStatus(): Promise<VisionStatus> {
		return this.remote ? this.remote.engine.visionStatus() : this.runtime.visionStatus();
	}

	private configureRemote(settings: RuntimeSettings): void {
		if (settings.engine !== 'remote') {
			if (this.remote) {
				this.remote.subscription.dispose();
				this.remote.engine.dispose();
				this.remote = undefined;
			}
			return;
		}
		if (!this.remote) {
			const engine = new RemoteEngine({ ...this.options.remoteOptions, logger: this.logger });
			engine.setApiKey(this.remoteApiKey);
			this.remote = { engine, subscription: engine.onDidChangeState(state => this.onEngineState(state)) };
			this.wasReady = false;
		}
		this.remote.engine.configure(settings);
	}

	/** The client's `bora/windowState`. */
	setWindowState(name: string, focused: boolean): void {
		this.name = name || 'Untitled window';
		this.focused = focused;
		this.options.host.changed();
	}

	/** Told each state of this session's runtime, until {@link close}. */
	onDidChangeRuntimeState(listener: (state: RuntimeState) => void): Disposable {
		this.stateListeners.add(listener);
		return { dispose: () => this.stateListeners.delete(listener) };
	}

	/** Told once, when the session closes. */
	onDidClose(listener: () => void): Disposable {
		this.closeListeners.add(listener);
		return { dispose: () => this.closeListeners.delete(listener) };
	}

	// ---- CompletionBackend: the runtime, with this session's id and completion mode ----

	completionAvailability(): CompletionAvailability {
		if (this.remote) {
			return this.remote.engine.completionAvailability();
		}
		return this.attached ? this.runtime.completionAvailability(this.currentSettings.completionMode) : { available: false, reason: 'notReady', error: notConfigured };
	}

	complete(request: BackendCompletionRequest): Promise<BackendCompletionResult> {
		if (this.remote) {
			return this.remote.engine.complete(request);
		}
		return this.runtime.complete({ ...request, clientId: this.id, mode: this.currentSettings.completionMode ?? defaultRuntimeSettings.completionMode });
	}

	prefillCompletion(request: BackendPrefillRequest, signal?: AbortSignal): Promise<BackendPrefillResult | undefined> {
		// A remote server keeps its own prefix cache; evaluating ahead there would cost its GPUs a request per focus change.
		if (this.remote) {
			return Promise.resolve(undefined);
		}
		return this.attached ? this.runtime.prefillCompletion({ ...request, clientId: this.id }, signal) : Promise.resolve(undefined);
	}

	/**
	 * The client left (shutdown, or its connection closed): its requests in flight are cancelled,
	 * its completion state freed, and its runtime freed when no other session uses it.
	 */
	close(): void {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.completion.dispose();
		this.remote?.subscription.dispose();
		this.remote?.engine.dispose();
		this.remote = undefined;
		this.stateListeners.clear();
		for (const listener of [...this.closeListeners]) {
			listener();
		}
		this.closeListeners.clear();
		const attached = this.attached;
		this.attached = undefined;
		if (attached) {
			attached.subscription.dispose();
			attached.runtime.releaseClient(this.id);
			this.options.host.detach(this, attached.runtime);
		}
	}

	private onRuntimeState(state: RuntimeState): void {
		if (this.remote) {
			// The remote engine's state is the one the client sees.
			return;
		}
		this.onEngineState(state);
	}

	private onEngineState(state: RuntimeState): void {
		this.emitState(state);
		if (state.kind === 'ready' && !this.wasReady) {
			this.completion.didBecomeReady();
		}
		this.wasReady = state.kind === 'ready';
	}

	private emitState(state: RuntimeState): void {
		for (const listener of [...this.stateListeners]) {
			try {
				listener(state);
			} catch (error) {
				this.logger.error(`Runtime state listener failed: ${String(error)}`);
			}
		}
	}
}

const notConfigured = { code: 'noModel', message: 'The client has not sent its settings yet.', action: 'Wait for the editor to finish starting Bora.' } as const;
