import { RuntimeError } from '../errors/RuntimeError';

/** The configured server's base URL, with and without the OpenAI `/v1` part. */
export interface RemoteUrl {
	/** `http(s)://host:port[/path]`, no trailing slash, no `/v1`, no credentials: where `/props`, `/tokenize` and `/health` are. */
	readonly root: string;
	/** `root` + `/v1`: where `/models`, `/completions` and `/chat/completions` are. */
	readonly api: string;
	/** `host:port`, for messages. */
	readonly host: string;
	/** Plain http to a host that is not this machine. */
	readonly insecure: boolean;
}

/**
 * `bora.remote.url` normalised: the user may write it with or without `/v1` and a trailing slash.
 * Credentials in the URL are refused (the key goes through **Set Remote API Key**), so no URL Bora
 * prints can carry a secret.
 */
export function parseRemoteUrl(value: string | undefined): RemoteUrl {
	const text = (value ?? '').trim();
	if (text === '') {
		throw notConfigured('bora.remote.url is empty');
	}
	if (!URL.canParse(text)) {
		// Quoted only when it cannot hold a password.
		throw notConfigured(`bora.remote.url is not a URL${text.includes('@') ? '' : ` ("${text.slice(0, 80)}")`}`);
	}
	const url = new URL(text);
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw notConfigured(`bora.remote.url must start with http:// or https:// (it has ${url.protocol})`);
	}
	if (url.username !== '' || url.password !== '') {
		throw notConfigured('bora.remote.url must not contain a user name or password');
	}
	const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
	const root = `${url.protocol}//${url.host}${path}`;
	const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
	return { root, api: `${root}/v1`, host: url.host, insecure: url.protocol === 'http:' && !loopback };
}

/**
 * `bora.remote.headers` entries (`Name: value`) as a header record. A malformed entry, or one that
 * would override what Bora sets itself, is refused with what to fix.
 */
export function parseRemoteHeaders(entries: readonly string[] | undefined): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const entry of entries ?? []) {
		const colon = entry.indexOf(':');
		const name = colon > 0 ? entry.slice(0, colon).trim() : '';
		if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
			throw notConfigured(`bora.remote.headers has an entry that is not "Name: value" (${JSON.stringify(entry.slice(0, 40))}…)`);
		}
		if (['content-type', 'content-length', 'host'].includes(name.toLowerCase())) {
			throw notConfigured(`bora.remote.headers may not set ${name}: Bora sets it itself`);
		}
		headers[name] = entry.slice(colon + 1).trim();
	}
	return headers;
}

function notConfigured(reason: string): RuntimeError {
	return new RuntimeError({ code: 'remoteNotConfigured', message: `The remote engine is not set up: ${reason}.`, action: 'Set bora.remote.url to the server\'s address, e.g. http://gpu-box:8000/v1, or set bora.engine to "local".' });
}
