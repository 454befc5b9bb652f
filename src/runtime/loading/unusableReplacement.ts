import type { Llama } from 'node-llama-cpp';
import type { RuntimeErrorCode } from '../../shared/types';
import { RuntimeError } from '../errors/RuntimeError';
import { inspectModelFile } from './inspectModelFile';

/** File problems found before loading, for which the previous working model stays active. */
const keepableCodes = new Set<RuntimeErrorCode>(['modelNotFound', 'invalidModel', 'truncatedModel', 'unsupportedModel']);

/**
 * Why a newly configured model file cannot replace the working one (missing, damaged, unsupported),
 * found from its header before anything is unloaded; `undefined` when it looks loadable, or when the
 * problem is one only loading can tell (memory), so the load goes ahead and reports it.
 */
export async function unusableReplacement(llama: Llama, modelPath: string, signal: AbortSignal): Promise<RuntimeError | undefined> {
	try {
		await inspectModelFile(llama, modelPath, signal);
		return undefined;
	} catch (error) {
		return !signal.aborted && error instanceof RuntimeError && keepableCodes.has(error.code) ? error : undefined;
	}
}
