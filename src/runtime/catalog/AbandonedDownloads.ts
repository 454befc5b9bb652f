import type { ModelDownloader } from 'node-llama-cpp';

type Fetch = typeof globalThis.fetch;

/**
 * Ends the retry loops of downloads Bora has given up on. node-llama-cpp's downloader (ipull 3.9.5)
 * retries a broken transfer up to 150 times, up to 5 s apart, and closing it does not end that loop:
 * the loop never looks at its own `aborted` flag, and leaves only on a fetch that fails with an
 * `AbortError`. After a cancel or a stall the loop would knock on the server for about twelve
 * minutes, writing nothing, for a download nobody waits for. So the folder of an abandoned download's
 * address is marked, and while it is, the process's `fetch` fails at once with an `AbortError` for
 * addresses in it: the loop ends at its next attempt. A request the user starts for the same files
 * (a download, a header read) lifts their marks first; a loop still waiting then ends when the
 * server answers and it sees it was closed.
 */
export class AbandonedDownloads {
	private readonly folders = new Set<string>();
	private original: Fetch | undefined;

	constructor(private readonly host: { fetch: Fetch } = globalThis) { }

	/** Marks the folders of `downloader`'s addresses; the first mark puts the guard on `fetch`. */
	abandon(downloader: ModelDownloader): void {
		const url = modelUrlOf(downloader);
		if (!url) {
			return;
		}
		this.folders.add(folderOf(url));
		this.guardFetch();
	}

	/**
	 * Lifts the marks a request the user starts for `uri` would hit: the folder of an `http(s)`
	 * address, or every folder of the repository an `hf:` URI names (node-llama-cpp resolves it to
	 * `…/{user}/{repo}/resolve/…` only later).
	 */
	liftFor(uri: string): void {
		const repository = /^hf:([^/:#]+\/[^/:#]+)/i.exec(uri)?.[1];
		for (const folder of this.folders) {
			if (repository ? pathOf(folder).startsWith(`/${repository}/`) : folder === folderOf(uri)) {
				this.folders.delete(folder);
			}
		}
	}

	isAbandoned(url: string): boolean {
		return this.folders.size > 0 && this.folders.has(folderOf(url));
	}

	private guardFetch(): void {
		if (this.original) {
			return;
		}
		const original = this.host.fetch.bind(this.host);
		this.original = original;
		this.host.fetch = (input, init) => {
			const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
			return this.isAbandoned(url)
				? Promise.reject(new DOMException(`Bora gave up on the download from ${url}`, 'AbortError'))
				: original(input, init);
		};
	}
}

/** The one guard of this process: there is one `fetch`. */
export const abandonedDownloads = new AbandonedDownloads();

/**
 * The address node-llama-cpp resolved for this file (`hf:` URIs become `https://huggingface.co/…`).
 * It keeps it in an internal field; without it nothing is marked, and the loop runs out as before.
 */
function modelUrlOf(downloader: ModelDownloader): string | undefined {
	const url = (downloader as unknown as { _modelUrl?: unknown })._modelUrl;
	return typeof url === 'string' ? url : undefined;
}

/** Origin and path up to the last `/`: split parts and their siblings live there; the query (ipull may add one) is ignored. */
function folderOf(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname.slice(0, parsed.pathname.lastIndexOf('/') + 1)}`;
	} catch {
		return url;
	}
}

function pathOf(url: string): string {
	try {
		return new URL(url).pathname;
	} catch {
		return url;
	}
}
