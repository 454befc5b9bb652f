import { stat } from 'node:fs/promises';
import { GgufInsights, readGgufFileInfo, type GgufFileInfo, type Llama } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { checkGgufHeader } from './checkGgufHeader';
import { notReadableAsGguf } from './notReadableAsGguf';

export interface InspectedModelFile {
	readonly fileInfo: GgufFileInfo;
	readonly insights: GgufInsights;
	readonly sizeBytes: number;
}

const chooseAnother = 'Choose another model with "Bora: Select GGUF Model…" or fix the bora.modelPath setting.';

/**
 * Checks a model file before llama.cpp sees it, so each way a file can be wrong gets its own message
 * instead of llama.cpp's generic "failed to load model". The header's counts are checked against the
 * file's size first ({@link checkGgufHeader}): node-llama-cpp's reader allocates from them.
 */
export async function inspectModelFile(llama: Llama, modelPath: string, signal?: AbortSignal): Promise<InspectedModelFile> {
	const stats = await stat(modelPath).catch((error: NodeJS.ErrnoException) => {
		throw new RuntimeError({
			code: 'modelNotFound',
			message: error.code === 'ENOENT' ? `Model file not found: ${modelPath}` : `Cannot read the model file ${modelPath}: ${error.message}`,
			action: chooseAnother,
		}, { cause: error });
	});
	if (!stats.isFile()) {
		throw new RuntimeError({ code: 'modelNotFound', message: `The model path is not a file: ${modelPath}`, action: chooseAnother });
	}

	await checkGgufHeader(modelPath, signal ? { signal } : {});
	let fileInfo: GgufFileInfo;
	try {
		fileInfo = await readGgufFileInfo(modelPath, { sourceType: 'filesystem', logWarnings: false, signal });
	} catch (error) {
		// The checked header parsed as GGUF, so what node-llama-cpp still refuses is damage it found.
		throw notReadableAsGguf(error, modelPath, 'truncatedModel');
	}

	let insights: GgufInsights;
	let expectedBytes: number | undefined;
	try {
		insights = await GgufInsights.from(fileInfo, llama);
		expectedBytes = expectedFileSize(fileInfo, insights);
	} catch (error) {
		// A header that parses can still hold values node-llama-cpp cannot measure (an unknown tensor type).
		throw notReadableAsGguf(error, modelPath);
	}
	const architecture = String(fileInfo.metadata.general?.architecture ?? 'unknown');
	if (!insights.isSupportedByLlamaCpp) {
		throw new RuntimeError({
			code: 'unsupportedModel',
			message: `This build of llama.cpp cannot run the "${architecture}" architecture of ${modelPath}.`,
			action: chooseAnother,
		});
	}

	if (expectedBytes !== undefined && stats.size < expectedBytes) {
		throw new RuntimeError({
			code: 'truncatedModel',
			message: `${modelPath} is incomplete: it has ${stats.size.toLocaleString('en-US')} bytes, but its header describes ${expectedBytes.toLocaleString('en-US')}.`,
			action: `The download was probably interrupted. Download the model again, or ${lowerFirst(chooseAnother)}`,
		});
	}
	return { fileInfo, insights, sizeBytes: stats.size };
}

/** Start of the tensor data plus the extent of the tensors, as node-llama-cpp measures it for mmap. */
function expectedFileSize(fileInfo: GgufFileInfo, insights: GgufInsights): number | undefined {
	const first = fileInfo.fullTensorInfo?.[0] ?? fileInfo.tensorInfo?.[0];
	if (!first || (fileInfo.splicedParts ?? 1) > 1) {
		return undefined;
	}
	const dataStart = Number(BigInt(first.fileOffset) - BigInt(first.offset));
	return dataStart + insights.modelSize;
}

function lowerFirst(text: string): string {
	return text.charAt(0).toLowerCase() + text.slice(1);
}
