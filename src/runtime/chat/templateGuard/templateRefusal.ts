import { RuntimeError } from '../../errors/RuntimeError';
import type { TemplateViolation } from './workerMessages';

/** Why a model's chat template is not used: it broke a bound while rendering. */
export function templateRefusal(modelName: string, violation: TemplateViolation): RuntimeError {
	const broke = violation.kind === 'time'
		? `took longer than ${violation.limitMs} ms to render a conversation`
		: `produced more than ${violation.limitChars} characters for a conversation`;
	return new RuntimeError({
		code: 'unsafeChatTemplate',
		message: `The chat template of ${modelName} ${broke}, so Bora does not use it: it would hold up completion and every other request.`,
		action: 'Use another chat model: set bora.chat.modelPath to a GGUF whose chat template renders quickly.',
	});
}
