import type { RuntimeErrorCode } from '../../shared/types';
import { RuntimeError } from '../errors/RuntimeError';

/**
 * What the user reads when a dependency fails on a model file with an error of its own (a TypeError
 * from node-llama-cpp's header reader, llama.cpp's "failed to load model"): a {@link RuntimeError}
 * saying the file could not be read as a GGUF model. The dependency's text stays in `cause`, for the
 * log ({@link failureDetail}); it means nothing to the user. A RuntimeError passes through.
 */
export function notReadableAsGguf(error: unknown, modelPath: string, code: RuntimeErrorCode = 'invalidModel'): RuntimeError {
	if (error instanceof RuntimeError) {
		return error;
	}
	return new RuntimeError({
		code,
		message: `${modelPath} could not be read as a GGUF model.`,
		action: 'The file may be damaged, incomplete or made for a newer llama.cpp: download it again, or choose another model. The runtime log has the details.',
	}, { cause: error });
}

/** An error's message with the messages of its causes, for the log. */
export function failureDetail(error: unknown): string {
	const parts: string[] = [];
	for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
		parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
		current = current instanceof Error ? current.cause : undefined;
	}
	return parts.join(' <- ');
}
