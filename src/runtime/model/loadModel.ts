import { InsufficientMemoryError, type LlamaModel } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { detectFimFormat, type FimDetection } from '../fim/detectFimFormat';
import { vocabularyOf } from '../fim/vocabulary';
import { detectReasoning } from '../reasoning/detectReasoning';
import type { ModelInfo } from '../types';
import type { LlamaHandle } from './createLlama';
import { describeModel } from './describeModel';
import { inspectModelFile } from './inspectModelFile';

export interface LoadModelOptions {
	readonly modelPath: string;
	/** Receives load progress from 0 to 1. */
	readonly onProgress?: (progress: number) => void;
	readonly signal?: AbortSignal;
}

/** A model in memory with what Bora knows about it. Disposing it frees the weights. */
export interface LoadedModel extends AsyncDisposable {
	readonly model: LlamaModel;
	readonly info: ModelInfo;
	readonly fim: FimDetection;
	dispose(): Promise<void>;
}

export async function loadModel({ llama }: LlamaHandle, { modelPath, onProgress, signal }: LoadModelOptions): Promise<LoadedModel> {
	const { fileInfo, sizeBytes } = await inspectModelFile(llama, modelPath, signal);
	let model: LlamaModel;
	try {
		model = await llama.loadModel({
			modelPath,
			gpuLayers: 'auto',
			loadSignal: signal,
			onLoadProgress: progress => safeCall(onProgress, progress),
		});
	} catch (error) {
		throw toLoadError(error, modelPath);
	}
	const vocabulary = vocabularyOf(model.fileInfo);
	const fim = detectFimFormat(vocabulary, { addBos: model.tokens.shouldPrependBosToken });
	const info = describeModel({ modelPath, fileInfo, sizeBytes, fim, reasoning: detectReasoning(model.fileInfo, vocabulary) });
	const dispose = () => model.dispose();
	return { model, info, fim, dispose, [Symbol.asyncDispose]: dispose };
}

function toLoadError(error: unknown, modelPath: string): RuntimeError {
	if (error instanceof InsufficientMemoryError) {
		return RuntimeError.from(error, {
			code: 'outOfMemory',
			message: `Not enough memory to load ${modelPath}`,
			action: 'Close other programs, choose a smaller or more quantized model, or set bora.gpu to "off" to use system RAM.',
		});
	}
	if (error instanceof Error && error.name === 'AbortError') {
		return RuntimeError.from(error, { code: 'loadFailed', message: 'Model loading was cancelled', action: 'Restart the runtime to load it again.' });
	}
	return RuntimeError.from(error, {
		code: 'loadFailed',
		message: `llama.cpp could not load ${modelPath}`,
		action: 'The file may be damaged or made for a newer llama.cpp. Check the runtime log, or choose another model.',
	});
}

function safeCall<T>(callback: ((value: T) => void) | undefined, value: T): void {
	try {
		callback?.(value);
	} catch {
		// A failing progress listener must not abort the load.
	}
}
