import type { RuntimeErrorInfo, RuntimeState } from '../../shared/types';
import type { Logger } from '../Logger';

export interface Disposable {
	dispose(): void;
}

const noModel: RuntimeErrorInfo = {
	code: 'noModel',
	message: 'No model is configured.',
	action: 'Choose a GGUF file with "Bora: Select GGUF Model…" or set bora.modelPath.',
};

/** The runtime's state, as the server pushes it to the client on every change. */
export class RuntimeStatus {
	private state: RuntimeState = { kind: 'idle', reason: noModel };
	private readonly listeners = new Set<(state: RuntimeState) => void>();

	constructor(private readonly logger: Logger) { }

	get current(): RuntimeState {
		return this.state;
	}

	onDidChange(listener: (state: RuntimeState) => void): Disposable {
		this.listeners.add(listener);
		return { dispose: () => this.listeners.delete(listener) };
	}

	set(state: RuntimeState): void {
		this.state = state;
		for (const listener of [...this.listeners]) {
			try {
				listener(state);
			} catch (error) {
				this.logger.error(`State listener failed: ${String(error)}`);
			}
		}
	}

	/** Why no model can serve a request now (none configured, still loading, failed), or `undefined` when one is ready. */
	notReadyError(): RuntimeErrorInfo | undefined {
		const state = this.state;
		switch (state.kind) {
			case 'ready':
				return undefined;
			case 'idle':
				return state.reason;
			case 'error':
				return state.error;
			case 'loading':
				return { code: 'internal', message: 'The model is still loading.', action: 'Try again in a moment.' };
			default:
				void (state satisfies never);
				throw new Error('unreachable');
		}
	}

	/**
	 * Progress of the load of `modelPath`, throttled so a fast load does not flood the client.
	 * llama.cpp reports progress from its own thread, so a report can arrive after the load finished;
	 * it must not turn a ready runtime back into a loading one.
	 */
	reportLoadProgress(modelPath: string, progress: number): void {
		const state = this.state;
		if (state.kind === 'loading' && state.modelPath === modelPath && (progress - state.progress >= 0.05 || progress >= 1)) {
			this.set({ kind: 'loading', modelPath, progress });
		}
	}

	/** No model configured. */
	setNoModel(): void {
		this.set({ kind: 'idle', reason: noModel });
	}

	/** Updates the ready state in place, when it is the one current; nothing otherwise. */
	updateReady(update: (state: Extract<RuntimeState, { kind: 'ready' }>) => RuntimeState): void {
		if (this.state.kind === 'ready') {
			this.set(update(this.state));
		}
	}

	/** Shows a fallback (e.g. a smaller context after running out of memory) in the ready state and the log. */
	addNotice(notice: string): void {
		this.logger.warn(notice);
		this.updateReady(state => ({ ...state, notice: state.notice && !state.notice.includes(notice) ? `${state.notice} ${notice}` : notice }));
	}

	dispose(): void {
		this.listeners.clear();
	}
}
