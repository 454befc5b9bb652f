import type { RuntimeErrorCode, RuntimeErrorInfo } from '../../shared/types';

/**
 * A failure the user can act on. The runtime throws it; the server turns it into state notifications
 * or `ResponseError`s, and only the extension decides how to show it.
 */
export class RuntimeError extends Error {
	readonly code: RuntimeErrorCode;
	readonly action: string;

	constructor(info: RuntimeErrorInfo, options?: { cause?: unknown }) {
		super(info.message, options);
		this.name = 'RuntimeError';
		this.code = info.code;
		this.action = info.action;
	}

	toInfo(): RuntimeErrorInfo {
		return { code: this.code, message: this.message, action: this.action };
	}

	/** Wraps anything thrown by a dependency so callers always get a {@link RuntimeErrorInfo}. */
	static from(error: unknown, fallback: Omit<RuntimeErrorInfo, 'message'> & { message?: string }): RuntimeError {
		if (error instanceof RuntimeError) {
			return error;
		}
		const detail = error instanceof Error ? error.message : String(error);
		return new RuntimeError({ code: fallback.code, message: fallback.message ? `${fallback.message}: ${detail}` : detail, action: fallback.action }, { cause: error });
	}
}
