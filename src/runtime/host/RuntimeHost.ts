import type { Llama } from 'node-llama-cpp';
import { checkFileFit, machineFitOptions } from '../catalog/checkModelFit';
import { detectHardware } from '../catalog/detectHardware';
import type { CompletionDocuments } from '../completion/CompletionDocument';
import { RuntimeError } from '../errors/RuntimeError';
import { gpuReserveBytesOf, loadKeyOf, optional, type LoadTarget } from '../loading/loadSettings';
import { silentLogger, type Logger } from '../Logger';
import { Runtime, type RuntimeOptions } from '../Runtime';
import { Scheduler } from '../scheduler/Scheduler';
import type { ConnectedWindow, SharedModel, SharedRuntimeStatus } from '../../shared/sharedRuntime';
import { defaultRuntimeSettings, type RuntimeSettings } from '../../shared/types';
import type { ModelFit } from '../../shared/modelTypes';
import { formatBytes } from '../../shared/formatBytes';
import { ClientSession, type SessionHost } from './ClientSession';
import { SharedLlamas } from './SharedLlamas';

export interface RuntimeHostOptions {
	/** Whether several clients share this process (`--listen`), rather than one client owning it (`--stdio`, IPC). Defaults to `true`. */
	readonly shared?: boolean;
	/** The process's own log (not any client's), which llama.cpp's messages go to. Defaults to a logger that drops everything. */
	readonly logger?: Logger;
	/** `debug` forwards llama.cpp's whole log (loads, buffer sizes) to `logger` as info lines. Defaults to `warn`. */
	readonly llamaLogLevel?: 'warn' | 'debug';
	/** For the status: the build hash of the socket this process listens on. Defaults to `''`. */
	readonly buildHash?: string;
	/** Minutes to stay up after the last client left, until a client says otherwise. Defaults to `5`. */
	readonly keepAliveMinutes?: number;
	/** Options for every Runtime the host creates (tests set small budgets and delays). Defaults to none. */
	readonly runtimeOptions?: Omit<RuntimeOptions, 'logger' | 'scheduler' | 'llamas' | 'admitLoad'>;
	/**
	 * Whether a model fits beside those already loaded for other windows. Defaults to the header-based
	 * fit against the memory free now (`checkFileFit`), which the loaded models already take.
	 */
	readonly checkFit?: (llama: Llama, target: LoadTarget, signal: AbortSignal, settings: RuntimeSettings) => Promise<ModelFit>;
}

export interface OpenSessionOptions {
	readonly documents: CompletionDocuments;
	/** The session's own log, i.e. its client's; the host prefixes each line with the window when shared. */
	readonly logger: Logger;
	/** The settings before the client says otherwise (the command line's). */
	readonly settings: RuntimeSettings;
}

/** Sessions sharing one Runtime: their load settings are equal. */
interface Share {
	/** The load settings' key; changes when the runtime's one window changes them (see `attach`). */
	key: string;
	/** The settings of the last session that (re)keyed it: its llama.cpp's GPU mode and threads. */
	settings: RuntimeSettings;
	readonly runtime: Runtime;
	readonly sessions: Set<ClientSession>;
}

/**
 * The runtime process's clients and models, transport-free. Each client gets a {@link ClientSession};
 * sessions whose load settings are equal share one {@link Runtime} (one copy of the model), and all
 * runtimes share one scheduler (completions of the focused window first, then the others', then
 * chat) and one llama.cpp per GPU mode and thread count. A Runtime is disposed when its last session
 * leaves, so its memory is back at once: a runtime nobody uses is never kept at the cost of a load
 * a connected window asks for. A model that does not fit beside the ones other windows use is
 * refused with a message naming those windows.
 */
export class RuntimeHost implements AsyncDisposable {
	readonly scheduler = new Scheduler();
	readonly shared: boolean;
	readonly buildHash: string;
	private readonly logger: Logger;
	private readonly llamas: SharedLlamas;
	private readonly shares = new Map<string, Share>();
	private readonly sessions = new Map<string, ClientSession>();
	/** Each session's client log as it came, for the lines of a runtime the session shares (no window prefix: they are every window's). */
	private readonly clientLoggers = new WeakMap<ClientSession, Logger>();
	private readonly changeListeners = new Set<() => void>();
	private readonly runtimeOptions: RuntimeHostOptions['runtimeOptions'];
	private readonly checkFit: NonNullable<RuntimeHostOptions['checkFit']>;
	/** Runtimes being disposed after their last session left, for {@link dispose} to wait on. */
	private readonly disposing = new Set<Promise<void>>();
	private nextId = 1;
	private keepAlive: number;
	private disposed = false;

	constructor({ shared = true, logger = silentLogger, llamaLogLevel = 'warn', buildHash = '', keepAliveMinutes = defaultRuntimeSettings.keepAliveMinutes, runtimeOptions, checkFit = headerFit }: RuntimeHostOptions = {}) {
		this.checkFit = checkFit;
		this.shared = shared;
		this.logger = logger;
		this.buildHash = buildHash;
		this.keepAlive = keepAliveMinutes;
		this.runtimeOptions = runtimeOptions;
		this.llamas = new SharedLlamas(logger, llamaLogLevel);
	}

	/** Minutes to stay up after the last client left: the latest value any client sent. */
	get keepAliveMinutes(): number {
		return this.keepAlive;
	}

	get sessionCount(): number {
		return this.sessions.size;
	}

	/** Distinct runtimes (model loads) in the process. */
	get runtimeCount(): number {
		return this.shares.size;
	}

	/** A new client; its runtime is chosen by its first `configure`. */
	openSession({ documents, logger, settings }: OpenSessionOptions): ClientSession {
		const id = `w${this.nextId++}`;
		const host: SessionHost = {
			attach: (session, sessionSettings) => this.attach(session, sessionSettings),
			detach: (session, runtime) => this.detach(session, runtime),
			changed: () => this.changed(),
		};
		let session: ClientSession | undefined;
		// Shared, each line says which window asked, in that window's log and in the runtime's own.
		const prefixed: Logger = this.shared ? prefixLogger(teeLogger([logger, this.logger]), () => `[${id} ${session?.name ?? ''}] `) : logger;
		session = new ClientSession({ id, host, documents, logger: prefixed, scheduler: this.scheduler, settings });
		this.sessions.set(id, session);
		this.clientLoggers.set(session, logger);
		return session;
	}

	/** The client left: see {@link ClientSession.close}. */
	closeSession(session: ClientSession): void {
		if (this.sessions.delete(session.id)) {
			session.close();
			this.changed();
		}
	}

	/** The status `self` sees (its own entry marked). */
	status(self: ClientSession | undefined): SharedRuntimeStatus {
		const windows: ConnectedWindow[] = [...this.sessions.values()].map(session => ({
			id: session.id, name: session.name, focused: session.focused, self: session === self, modelPaths: session.modelPaths,
			...optional('pid', session.pid),
		}));
		const models: SharedModel[] = [];
		for (const share of this.shares.values()) {
			const state = share.runtime.state;
			if (state.kind === 'ready') {
				models.push({ path: state.model.path, name: state.model.name, windowIds: [...share.sessions].map(session => session.id), bytes: state.fit?.requiredBytes ?? state.model.sizeBytes });
			}
		}
		return { shared: this.shared, pid: process.pid, buildHash: this.buildHash, keepAliveMinutes: this.keepAlive, windows, models };
	}

	/** Told on any change the status shows: a client came or left, its name or focus, a model loaded or freed. */
	onDidChange(listener: () => void): { dispose(): void } {
		this.changeListeners.add(listener);
		return { dispose: () => this.changeListeners.delete(listener) };
	}

	/** Disposes every runtime (models first), then llama.cpp. */
	async dispose(): Promise<void> {
		if (this.disposed) {
			return;
		}
		this.disposed = true;
		for (const session of [...this.sessions.values()]) {
			this.closeSession(session);
		}
		await Promise.all([...this.shares.values()].map(share => share.runtime.dispose()));
		this.shares.clear();
		await Promise.all(this.disposing);
		await this.llamas.dispose();
	}

	[Symbol.asyncDispose](): Promise<void> {
		return this.dispose();
	}

	private attach(session: ClientSession, settings: RuntimeSettings): Runtime {
		if (settings.keepAliveMinutes !== undefined) {
			this.keepAlive = settings.keepAliveMinutes;
		}
		const key = loadKeyOf(settings);
		const own = [...this.shares.values()].find(candidate => candidate.sessions.has(session));
		let share = this.shares.get(key);
		if (!share && own && own.sessions.size === 1) {
			// A runtime only this window uses follows its settings, as a runtime of its own always did: a
			// model that fails to load then leaves the working one in place ("Still using …").
			this.shares.delete(own.key);
			own.key = key;
			own.settings = settings;
			this.shares.set(key, own);
			share = own;
		}
		if (!share) {
			const sessions = new Set<ClientSession>();
			let created: Share | undefined;
			const runtime = new Runtime({
				...this.runtimeOptions,
				// The runtime's own lines (loads, notices) go to every window that uses it.
				logger: broadcastLogger(() => [...sessions].map(user => user.logger)),
				scheduler: this.scheduler,
				llamas: (gpu, threads) => this.llamas.get(gpu, threads),
				admitLoad: (target, signal) => this.admitLoad(created!, target, signal),
			});
			created = { key, settings, runtime, sessions };
			share = created;
			this.shares.set(key, share);
			runtime.onDidChangeState(state => {
				if (state.kind !== 'loading') {
					this.changed();
				}
			});
		}
		share.sessions.add(session);
		return share.runtime;
	}

	private detach(session: ClientSession, runtime: Runtime): void {
		for (const share of this.shares.values()) {
			if (share.runtime === runtime) {
				share.sessions.delete(session);
				if (share.sessions.size === 0) {
					this.shares.delete(share.key);
					this.logger.info(`No window uses ${share.runtime.state.kind === 'ready' ? share.runtime.state.model.name : 'its model'} any more: freeing it.`);
					const disposed = share.runtime.dispose().then(() => this.changed(), error => this.logger.error(`Freeing a runtime: ${String(error)}`));
					this.disposing.add(disposed);
					void disposed.finally(() => this.disposing.delete(disposed));
				}
				return;
			}
		}
	}

	/**
	 * Whether a model fits beside those other windows use: the header-based fit against the memory
	 * free now (which the loaded models already take). Only checked when another model is loaded; a
	 * model alone loads as it always did (its own fallbacks to fewer GPU layers and a smaller context).
	 */
	private async admitLoad(loading: Share, target: LoadTarget, signal: AbortSignal): Promise<void> {
		const others = [...this.shares.values()].filter(share => share !== loading && share.runtime.state.kind === 'ready');
		if (others.length === 0) {
			return;
		}
		const { llama } = await this.llamas.get(loading.settings.gpu, loading.settings.threads);
		const fit = await this.checkFit(llama, target, signal, loading.settings);
		if (fit.level !== 'tooLarge') {
			return;
		}
		const holders = others.map(share => {
			const state = share.runtime.state;
			const model = state.kind === 'ready' ? `${state.model.name} (${formatBytes(state.fit?.requiredBytes ?? state.model.sizeBytes)})` : 'a model';
			return `${model} for ${[...share.sessions].map(session => `window "${session.name}" (${session.id})`).join(', ')}`;
		});
		throw new RuntimeError({
			code: 'outOfMemory',
			message: `${target.modelPath.split(/[\\/]/).pop()} does not fit beside ${holders.join('; ')}: ${fit.summary}.`,
			action: 'Close that window or select the same model there, or turn off bora.runtime.shared to give each window its own runtime.',
		});
	}

	private focusedId(): string | undefined {
		return [...this.sessions.values()].find(session => session.focused)?.id;
	}

	private changed(): void {
		// A window's focus may be what changed: the scheduler serves the focused window's completions first.
		this.scheduler.setFocusedClient(this.focusedId());
		for (const listener of [...this.changeListeners]) {
			try {
				listener();
			} catch (error) {
				this.logger.error(`Status listener failed: ${String(error)}`);
			}
		}
	}
}

/** The fit the load itself would plan (VRAM reserve, experts in RAM), against the memory the loaded models left free. */
async function headerFit(llama: Llama, target: LoadTarget, signal: AbortSignal, settings: RuntimeSettings): Promise<ModelFit> {
	return checkFileFit(llama, target.modelPath, await detectHardware(llama), {
		signal, ...optional('contextSize', target.contextSize), ...(target.gpuLayers === 'auto' ? {} : { gpuLayers: target.gpuLayers }),
		...machineFitOptions(gpuReserveBytesOf(settings), settings.moeCpuExperts),
	});
}

function prefixLogger(logger: Logger, prefix: () => string): Logger {
	return {
		info: message => logger.info(prefix() + message),
		warn: message => logger.warn(prefix() + message),
		error: message => logger.error(prefix() + message),
	};
}

function teeLogger(loggers: readonly Logger[]): Logger {
	return broadcastLogger(() => loggers);
}

function broadcastLogger(loggers: () => readonly Logger[]): Logger {
	return {
		info: message => loggers().forEach(logger => logger.info(message)),
		warn: message => loggers().forEach(logger => logger.warn(message)),
		error: message => loggers().forEach(logger => logger.error(message)),
	};
}
