import type { RuntimeErrorInfo } from '../shared/types';
import type { ClientState } from './ClientState';
import { Disposable } from './dispose';
import type { ErrorActionRunner } from './ErrorActionRunner';
import type { RuntimeClient } from './RuntimeClient';

/**
 * A model that cannot be used is said once in a notification with its buttons (Select Model…, Open
 * Settings, …), not only in the status bar: the user asked for that model and waits for it.
 */
export class RuntimeErrorNotifier extends Disposable {
	/** The error shown last, so a state pushed again (settings, progress) does not repeat it. */
	private shown: string | undefined;

	constructor(runtime: RuntimeClient, private readonly runner: ErrorActionRunner) {
		super();
		this._register(runtime.onDidChangeState(state => this.onState(state)));
	}

	private onState(state: ClientState): void {
		const failure = failureOf(state);
		const key = failure ? `${failure.modelPath}\n${failure.error.code}\n${failure.error.message}` : undefined;
		if (key === this.shown) {
			return;
		}
		this.shown = key;
		if (failure) {
			const { error } = failure;
			const still = failure.stillUsing ? ` Still using ${failure.stillUsing}.` : '';
			void this.runner.notify(`Bora: ${error.message}${still} ${error.action}`, { code: error.code, text: `${error.message} ${error.action}` });
		}
	}
}

/** A model the runtime refused, with the model still in use if any; undefined while loading, starting or fine. */
function failureOf(state: ClientState): { readonly modelPath: string; readonly error: RuntimeErrorInfo; readonly stillUsing?: string } | undefined {
	if (state.kind !== 'runtime') {
		// Starting or stopped: the crash notice of RuntimeClient says it; a fresh error after a restart is shown again.
		return undefined;
	}
	const runtime = state.runtime;
	switch (runtime.kind) {
		case 'error':
			return { modelPath: runtime.modelPath, error: runtime.error };
		case 'ready':
			return runtime.rejected ? { ...runtime.rejected, stillUsing: runtime.model.name } : undefined;
		case 'idle':
		case 'loading':
			return undefined;
		default:
			void (runtime satisfies never);
			return undefined;
	}
}
