import type { BackendCompletionRequest, BackendCompletionResult, BackendPrefillRequest, BackendPrefillResult, CompletionAvailability, CompletionBackend } from '../completion/CompletionBackend';
import type { CompletionDocuments } from '../completion/CompletionDocument';
import { CompletionService } from '../completion/CompletionService';
import type { WorkspaceFolders } from '../completion/extraContext/WorkspaceNames';
import type { Logger } from '../Logger';
import type { Runtime } from '../Runtime';
import type { Disposable } from '../state/RuntimeStatus';
import type { Scheduler } from '../scheduler/Scheduler';
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

	/** Its runtime's state; "no model" before the settings arrive. */
	get runtimeState(): RuntimeState {
		return this.attached?.runtime.state ?? { kind: 'idle', reason: notConfigured };
	}

	/** Paths of the models this session uses, for the shared status. */
	get modelPaths(): readonly string[] {
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
		const previous = this.attached;
		const runtime = this.options.host.attach(this, settings);
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
		return { configured: runtime.configure(settings) };
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
		return this.attached ? this.runtime.completionAvailability(this.currentSettings.completionMode) : { available: false, reason: 'notReady', error: notConfigured };
	}

	complete(request: BackendCompletionRequest): Promise<BackendCompletionResult> {
		return this.runtime.complete({ ...request, clientId: this.id, mode: this.currentSettings.completionMode ?? defaultRuntimeSettings.completionMode });
	}

	prefillCompletion(request: BackendPrefillRequest, signal?: AbortSignal): Promise<BackendPrefillResult | undefined> {
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
		for (const listener of [...this.stateListeners]) {
			try {
				listener(state);
			} catch (error) {
				this.logger.error(`Runtime state listener failed: ${String(error)}`);
			}
		}
		if (state.kind === 'ready' && !this.wasReady) {
			this.completion.didBecomeReady();
		}
		this.wasReady = state.kind === 'ready';
	}
}

const notConfigured = { code: 'noModel', message: 'The client has not sent its settings yet.', action: 'Wait for the editor to finish starting Bora.' } as const;
