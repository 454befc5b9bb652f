import { STATUS_CODES } from 'node:http';

/** An HTTP answer in words: "the server answered 404 Not Found for <url>". */
export function describeHttpStatus(status: number, statusText: string, url: string): string {
	const text = statusText || STATUS_CODES[status] || '';
	return `the server answered ${status}${text ? ` ${text}` : ''} for ${url}`;
}

/**
 * A failed request's reason in plain words: "cannot resolve huggingface.co", "connection refused by
 * 127.0.0.1:8080", "a secure connection to … failed (CERT_HAS_EXPIRED)". Node's `fetch` only says
 * "fetch failed"; the system error that says why is somewhere down its `cause` chain (an
 * `AggregateError` when several addresses were tried), so the chain is searched for a known code.
 */
export function describeNetworkError(error: unknown, url: string): string {
	const status = httpStatusOf(error);
	if (status) {
		return describeHttpStatus(status.statusCode, status.statusText ?? '', status.url ?? url);
	}
	const target = URL.canParse(url) ? new URL(url) : undefined;
	const host = target?.hostname || url;
	const hostPort = target?.host || host;
	const code = systemCodeOf(error);
	switch (code) {
		case undefined:
			return `the request to ${hostPort} failed: ${innermostMessage(error)}`;
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
		case 'EAI_FAIL':
		case 'EAI_NONAME':
			return `cannot resolve ${host}`;
		case 'ECONNREFUSED':
			return `connection refused by ${hostPort}`;
		case 'ECONNRESET':
		case 'EPIPE':
		case 'UND_ERR_SOCKET':
			return `the connection to ${hostPort} was reset`;
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
		case 'EHOSTDOWN':
		case 'ENETDOWN':
			return `no route to ${hostPort}`;
		case 'ETIMEDOUT':
		case 'UND_ERR_CONNECT_TIMEOUT':
			return `no answer from ${hostPort} (the connection timed out)`;
		default:
			return isTlsCode(code)
				? `a secure connection to ${hostPort} failed (${code})`
				: `the request to ${hostPort} failed (${code}: ${innermostMessage(error)})`;
	}
}

/** The status of ipull's `StatusCodeError` (a 4xx it does not retry, or a 5xx it gave up on). */
function httpStatusOf(error: unknown): { statusCode: number; statusText?: string; url?: string } | undefined {
	const { statusCode, statusText, url } = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: unknown; statusText?: unknown; url?: unknown };
	return typeof statusCode === 'number'
		? { statusCode, ...(typeof statusText === 'string' ? { statusText } : {}), ...(typeof url === 'string' ? { url } : {}) }
		: undefined;
}

/** The first `code` along the cause chain (and inside an `AggregateError`'s errors). */
function systemCodeOf(error: unknown, depth = 0): string | undefined {
	if (typeof error !== 'object' || error === null || depth > 8) {
		return undefined;
	}
	const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
	if (typeof code === 'string' && code.length > 0) {
		return code;
	}
	const inner = systemCodeOf(cause, depth + 1);
	if (inner !== undefined) {
		return inner;
	}
	return Array.isArray(errors) ? errors.map(item => systemCodeOf(item, depth + 1)).find(item => item !== undefined) : undefined;
}

function innermostMessage(error: unknown): string {
	let current: unknown = error;
	let message = String(error);
	for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
		message = current.message;
		current = current.cause;
	}
	return message;
}

/** OpenSSL's certificate codes and Node's TLS codes. */
function isTlsCode(code: string): boolean {
	return /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_OSSL_)/.test(code);
}
