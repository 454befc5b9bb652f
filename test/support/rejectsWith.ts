import assert from 'node:assert/strict';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { RuntimeError } from '../../src/runtime/errors/RuntimeError';
import type { RuntimeErrorCode, RuntimeErrorInfo } from '../../src/shared/types';

function assertActionable(info: RuntimeErrorInfo, code: RuntimeErrorCode, pattern: RegExp | undefined): void {
	assert.equal(info.code, code, info.message);
	if (pattern) assert.match(info.message, pattern);
	assert.ok(info.action.length > 10, `says what to do: ${JSON.stringify(info.action)}`);
}

/** For `assert.rejects`: a {@link RuntimeError} thrown in this process, with `code`, a message matching `pattern` and an action. */
export function rejectsWithRuntimeError(code: RuntimeErrorCode, pattern?: RegExp) {
	return (error: unknown): true => {
		assert.ok(error instanceof RuntimeError, String(error));
		assertActionable(error.toInfo(), code, pattern);
		return true;
	};
}

/** For `assert.rejects`: an LSP error answer from a spawned runtime, carrying Bora's typed error in `data`. */
export function rejectsWithResponseError(code: RuntimeErrorCode, pattern?: RegExp) {
	return (error: unknown): true => {
		assert.ok(error instanceof ResponseError, `expected an error answer, got ${JSON.stringify(error)}`);
		assertActionable({ ...(error.data as RuntimeErrorInfo), message: error.message }, code, pattern);
		return true;
	};
}
