import { RuntimeError } from '../../errors/RuntimeError';
import type { LlamaHandle } from '../../loading/createLlama';
import { loadModel, type LoadedModel } from '../../loading/loadModel';
import { draftVocabularyMismatch } from './draftVocabularyMismatch';

export interface LoadDraftModelOptions {
	readonly draftPath: string;
	/** The completion model the draft will guess for. */
	readonly target: LoadedModel;
	/** As the completion model's. */
	readonly gpuLayers: number | 'auto';
	readonly signal?: AbortSignal;
}

/**
 * Loads `bora.completion.draftModelPath` beside the completion model, through the same checks as
 * any user-chosen GGUF, and refuses one whose vocabulary is not the completion model's, with a
 * {@link RuntimeError} that says which and what to do (the caller shows it and goes on without).
 */
export async function loadDraftModel(handle: LlamaHandle, { draftPath, target, gpuLayers, signal }: LoadDraftModelOptions): Promise<LoadedModel> {
	const draft = await loadModel(handle, { modelPath: draftPath, gpuLayers, signal, targetContextSize: target.contextSize ?? 4096 });
	const mismatch = draftVocabularyMismatch(target.model.fileInfo, draft.model.fileInfo);
	if (mismatch) {
		await draft.dispose();
		throw new RuntimeError({
			code: 'loadFailed',
			message: `The draft model ${draft.info.name} cannot draft for ${target.info.name}: ${mismatch}`,
			action: 'Choose a smaller model of the same family (for example Qwen2.5-Coder 0.5B for Qwen2.5-Coder 7B) in bora.completion.draftModelPath, or clear it.',
		});
	}
	return draft;
}
