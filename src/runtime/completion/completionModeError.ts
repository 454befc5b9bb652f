import { completionModeOf } from '../../shared/completionMode';
import type { CompletionModeSetting, ModelInfo, RuntimeErrorInfo } from '../../shared/types';
import { RuntimeError } from '../errors/RuntimeError';
import { modeUnavailableError } from './modeUnavailableError';

/**
 * Why a loaded model cannot complete under `bora.completion.mode`, in the words the engine would
 * fail with: the setting's reason, else the model's lack of both FIM tokens and a chat template.
 * `undefined` when it can complete. Cheap: it reads model facts, it runs nothing.
 */
export function completionModeError(model: ModelInfo, engine: { readonly format: unknown }, setting: CompletionModeSetting | undefined): RuntimeErrorInfo | undefined {
	if (completionModeOf(model, setting) !== 'none') {
		return undefined;
	}
	const forced = modeUnavailableError(model, setting);
	if (forced) {
		return forced.toInfo();
	}
	try {
		// With no setting to blame, the model has no FIM tokens: the engine's format says so, and what to do.
		void engine.format;
		return undefined;
	} catch (error) {
		if (error instanceof RuntimeError) {
			return error.toInfo();
		}
		throw error;
	}
}
