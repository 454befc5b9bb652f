import { RuntimeError } from '../errors/RuntimeError';
import type { CompletionModeSetting, ModelInfo } from '../../shared/types';

/**
 * Why a model cannot complete in the mode `bora.completion.mode` forces, with what to do; `undefined`
 * when the setting is not the reason (the engine's own no-FIM error covers `auto`).
 */
export function modeUnavailableError(model: ModelInfo, setting: CompletionModeSetting | undefined): RuntimeError | undefined {
	if (setting === 'fim' && !model.fim.supported && model.hasChatTemplate) {
		return new RuntimeError({
			code: 'noFimSupport',
			message: `${model.name} has no fill-in-the-middle tokens, and bora.completion.mode is set to fim. ${model.fim.reason}`.trim(),
			action: 'Set bora.completion.mode to auto or chat to ask it as an instruct model, or choose a code model with fill-in-the-middle support.',
		});
	}
	if (setting === 'chat' && !model.hasChatTemplate) {
		return new RuntimeError({
			code: 'noFimSupport',
			message: `${model.name} has no chat template, and bora.completion.mode is set to chat.`,
			action: 'Set bora.completion.mode to auto or fim, or choose an instruct model with a chat template.',
		});
	}
	return undefined;
}
