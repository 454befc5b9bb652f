import type { RuntimeErrorInfo } from '../../shared/types';
import type { RuntimeError } from '../errors/RuntimeError';
import type { Logger } from '../Logger';
import type { FailedLoadMemory } from './FailedLoadMemory';
import { sameLoadTarget, type LoadTarget } from './loadSettings';
import { failureDetail, notReadableAsGguf } from './notReadableAsGguf';

/** A configured model that failed while the one before it was kept (or loaded again). */
export interface RejectedModel {
	readonly modelPath: string;
	readonly error: RuntimeErrorInfo;
}

export interface LoadOrRestoreOptions {
	readonly target: LoadTarget;
	/** The model that was serving before, as it was loaded; absent when none was. */
	readonly previous: LoadTarget | undefined;
	/** Loads a target and reports it ready, with `rejected` when it stands in for a failed one; throws when the load fails. */
	readonly load: (target: LoadTarget, rejected?: RejectedModel) => Promise<void>;
	/** Reports a failure that left no model loaded. */
	readonly onFailure: (error: RuntimeError) => void;
	/** Remembers a failure the previous model stood in for, so an unchanged settings push does not repeat it. */
	readonly failures: FailedLoadMemory;
	readonly signal: AbortSignal;
	readonly logger: Logger;
}

/**
 * Loads `target`; when that fails for any reason after the model before it was unloaded (llama.cpp
 * refuses a file whose header looked fine, memory ran out at these settings), loads the previous
 * model again with the settings it had, so completion keeps working, and reports the failed file as
 * rejected. Only when that fails too, or no model was serving, does the failure become the state.
 */
export async function loadOrRestore({ target, previous, load, onFailure, failures, signal, logger }: LoadOrRestoreOptions): Promise<void> {
	let failure: RuntimeError;
	try {
		await load(target);
		failures.forget();
		return;
	} catch (error) {
		if (signal.aborted) {
			return;
		}
		failure = notReadableAsGguf(error, target.modelPath, 'loadFailed');
		logger.error(`Loading ${target.modelPath} failed: ${failure.message} (${failureDetail(error)})`);
	}
	if (!previous || sameLoadTarget(previous, target)) {
		onFailure(failure);
		return;
	}
	logger.warn(`Loading ${previous.modelPath} again with the settings it had, so completion keeps working.`);
	try {
		await load(previous, { modelPath: target.modelPath, error: failure.toInfo() });
		await failures.remember(target);
	} catch (error) {
		if (!signal.aborted) {
			logger.error(`Loading ${previous.modelPath} again failed too: ${failureDetail(error)}`);
			onFailure(failure);
		}
	}
}
