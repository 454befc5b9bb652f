/**
 * The rule behind the plain-`http://` warning: prompts (code, chat, images) and the API key cross the
 * network in clear text when the URL is `http://` to another machine. Loopback stays on this machine.
 */

/** What to warn about for a remote URL, or undefined when there is nothing to say (https, loopback, not a URL). */
export interface PlainHttpWarning {
	/** The URL as configured; the warning is remembered per URL. */
	readonly url: string;
	/** The host as written (`gpu-box:8000`), for the message. */
	readonly host: string;
}

export function plainHttpWarning(url: string): PlainHttpWarning | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url.trim());
	} catch {
		return undefined;
	}
	if (parsed.protocol !== 'http:' || isLoopback(parsed.hostname)) {
		return undefined;
	}
	return { url: url.trim(), host: parsed.host };
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 and `::1` (URL keeps IPv6 hosts in brackets). */
export function isLoopback(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
	if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0:0:0:0:0:0:0:1') {
		return true;
	}
	// An IPv4-mapped loopback (`::ffff:127.0.0.1`, which URL writes as `::ffff:7f00:1`) counts too.
	if (/^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)) {
		return true;
	}
	return /^127(\.\d{1,3}){3}$/.test(host);
}

/** The message, naming the host; the key and every prompt travel unencrypted. */
export function plainHttpMessage({ host }: PlainHttpWarning): string {
	return `bora.remote.url uses plain http:// to ${host}: your code, chat messages, images and the API key cross the network unencrypted. Use https:// unless this network is trusted.`;
}
