import type { Llama } from 'node-llama-cpp';
import type { RuntimeErrorCode } from '../../shared/types';
import { RuntimeError } from '../errors/RuntimeError';
import type { Logger } from '../Logger';
import type { RuntimeStatus } from '../state/RuntimeStatus';
import { inspectModelFile } from './inspectModelFile';

/** File problems found before loading, for which the previous working model stays active. */
const keepableCodes = new Set<RuntimeErrorCode>(['modelNotFound', 'invalidModel', 'truncatedModel', 'unsupportedModel']);

/**
 * Why a newly configured model file cannot replace the working one (missing, damaged, hostile,
 * unsupported), found from its header before anything is unloaded; `undefined` when it looks
 * loadable, or when the problem is one only loading can tell (memory), so the load goes ahead.
 */
export async function unusableReplacement(llama: Llama, modelPath: string, signal: AbortSignal): Promise<RuntimeError | undefined> {
	try {
		await inspectModelFile(llama, modelPath, signal);
		return undefined;
	} catch (error) {
		return !signal.aborted && error instanceof RuntimeError && keepableCodes.has(error.code) ? error : undefined;
	}
}

export interface KeepCurrentOptions {
	readonly status: RuntimeStatus;
	/** Whether a model is loaded and serving. */
	readonly loaded: boolean;
	readonly modelPath: string;
	readonly llama: () => Promise<Llama>;
	readonly signal: AbortSignal;
	readonly logger: Logger;
}

/**
 * When a model is loaded and the newly configured file is unusable ({@link unusableReplacement}),
 * keeps the working model and reports the rejected file in the ready state. Returns whether it did.
 */
export async function keepCurrentIfUnusable({ status, loaded, modelPath, llama, signal, logger }: KeepCurrentOptions): Promise<boolean> {
	const current = status.current;
	if (!loaded || current.kind !== 'ready' || !modelPath || modelPath === current.model.path) {
		return false;
	}
	const error = await unusableReplacement(await llama(), modelPath, signal);
	if (error) {
		logger.error(`Keeping ${current.model.path}: the new model ${modelPath} cannot be used: ${error.message}`);
		const { rejected: _previous, ...ready } = current;
		status.set({ ...ready, rejected: { modelPath, error: error.toInfo() } });
	}
	return error !== undefined;
}
