import type { CompletionMode, CompletionModeSetting } from './types';

/** What decides a model's completion mode: the same facts as {@link ModelInfo} carries. */
export interface CompletionModeFacts {
	readonly fim: { readonly supported: boolean };
	readonly hasChatTemplate: boolean;
}

/**
 * The mode inline completion uses for a model under `bora.completion.mode`; `none` when the model
 * lacks what the setting asks for. Pure, so the status tooltip and the engine always agree.
 */
export function completionModeOf(model: CompletionModeFacts, setting: CompletionModeSetting = 'auto'): CompletionMode {
	switch (setting) {
		case 'fim':
			return model.fim.supported ? 'fim' : 'none';
		case 'chat':
			return model.hasChatTemplate ? 'chat' : 'none';
		default:
			return model.fim.supported ? 'fim' : model.hasChatTemplate ? 'chat' : 'none';
	}
}

export function isCompletionModeSetting(value: unknown): value is CompletionModeSetting {
	return value === 'auto' || value === 'fim' || value === 'chat';
}
