import type { Llama } from 'node-llama-cpp';
import { detectFimFormat } from '../fim/detectFimFormat';
import { vocabularyOf } from '../fim/vocabulary';
import { detectReasoning } from '../reasoning/detectReasoning';
import type { ModelInfo } from '../../shared/types';
import { describeModel } from './describeModel';
import { inspectModelFile } from './inspectModelFile';
import { notReadableAsGguf } from './notReadableAsGguf';

/**
 * What a GGUF file is, from its header alone: no weights are loaded. Used for a model that is
 * configured but loads later (the chat model), so the UI can already say what it supports.
 * Throws the same {@link RuntimeError}s as loading would for a missing or damaged file.
 */
export async function describeModelFile(llama: Llama, modelPath: string, signal?: AbortSignal): Promise<ModelInfo> {
	const { fileInfo, sizeBytes } = await inspectModelFile(llama, modelPath, signal);
	try {
		const vocabulary = vocabularyOf(fileInfo);
		const addBos = fileInfo.metadata.tokenizer?.ggml?.add_bos_token ?? true;
		return describeModel({
			modelPath,
			fileInfo,
			sizeBytes,
			fim: detectFimFormat(vocabulary, { addBos: addBos === true }),
			reasoning: detectReasoning(fileInfo, vocabulary),
		});
	} catch (error) {
		// Metadata of the wrong shape (a vocabulary that is not a list of strings) is damage too.
		throw notReadableAsGguf(error, modelPath);
	}
}
