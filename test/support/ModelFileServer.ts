import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
	readonly body: Buffer;
	/** Cut the connection after this many body bytes, for the next `cuts` GET requests. */
	cutAfterBytes?: number;
	cuts?: number;
	/** Pause between chunks, so a download can be cancelled midway, or to serve slowly. */
	chunkDelayMs?: number;
	/** Body bytes per write. Defaults to 64 KiB. */
	chunkBytes?: number;
	/** Stop sending (the connection stays open, silent) after this many body bytes, for the next `stalls` GET requests. */
	stallAfterBytes?: number;
	stalls?: number;
	/** Reset the connection (TCP RST) after this many body bytes, for the next `resets` GET requests. */
	resetAfterBytes?: number;
	resets?: number;
	/** Called once a cut, stall or reset has happened (e.g. to stop the server). */
	afterFault?: () => void;
	/** Answer every request with this status and no file (a 404 of a file that exists, a 500). */
	status?: number;
}

export interface ServedRequest {
	readonly method: string;
	readonly path: string;
	readonly range?: string;
	/** Body bytes written for this request so far. */
	sentBytes: number;
}

/** A tiny HTTP file server on 127.0.0.1 with Range support and faults (cut, stalled or reset connections, error statuses), for download tests. */
export class ModelFileServer {
	readonly files = new Map<string, ServedFile>();
	readonly requests: ServedRequest[] = [];
	/** Faults served, in order, with the Range of the request each hit. */
	readonly faults: Array<{ kind: 'cut' | 'stall' | 'reset'; path: string; range: string }> = [];
	/** Body bytes written so far, all files and requests together. */
	sentBytes = 0;
	private server: Server | undefined;
	private port = 0;
	/** Responses left hanging by a stall; ended when the server stops. */
	private readonly stalled = new Set<ServerResponse>();

	url(path: string): string {
		return `http://127.0.0.1:${this.port}${path}`;
	}

	/** Forgets the files, requests and faults of the previous test; the server keeps listening. */
	reset(): void {
		this.files.clear();
		this.requests.length = 0;
		this.faults.length = 0;
		this.sentBytes = 0;
	}

	/** GET requests that asked for file bytes. */
	get bodyRequests(): ServedRequest[] {
		return this.requests.filter(request => request.method === 'GET');
	}

	async start(): Promise<void> {
		this.server = createServer((request, response) => void this.handle(request, response));
		this.server.listen(0, '127.0.0.1');
		await once(this.server, 'listening');
		this.port = (this.server.address() as AddressInfo).port;
	}

	/** A port on 127.0.0.1 that was bound and closed again, so a connection to it is refused. */
	static async refusedPort(): Promise<number> {
		const probe = createServer();
		probe.listen(0, '127.0.0.1');
		await once(probe, 'listening');
		const { port } = probe.address() as AddressInfo;
		await new Promise(resolve => probe.close(resolve));
		return port;
	}

	/** Stops listening and ends every connection, stalled ones too: later requests are refused. */
	async stop(): Promise<void> {
		for (const response of this.stalled) {
			response.destroy();
		}
		this.stalled.clear();
		this.server?.closeAllConnections();
		await new Promise(resolve => this.server?.close(resolve));
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const path = new URL(request.url ?? '/', 'http://x').pathname;
		const served: ServedRequest = { method: request.method ?? 'GET', path, ...(request.headers.range ? { range: request.headers.range } : {}), sentBytes: 0 };
		this.requests.push(served);
		const file = this.files.get(path);
		if (!file || file.status !== undefined) {
			response.writeHead(file?.status ?? 404).end('no file here');
			return;
		}
		const total = file.body.length;
		let start = 0;
		let end = total - 1;
		const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
		if (range) {
			start = range[1] ? Number(range[1]) : total - Number(range[2]);
			end = range[1] && range[2] ? Math.min(Number(range[2]), total - 1) : total - 1;
			if (start >= total) {
				response.writeHead(416, { 'content-range': `bytes */${total}` }).end();
				return;
			}
		}
		const headers = {
			'content-type': 'application/octet-stream',
			'accept-ranges': 'bytes',
			'content-length': String(end - start + 1),
			...(range ? { 'content-range': `bytes ${start}-${end}/${total}` } : {}),
		};
		response.writeHead(range ? 206 : 200, headers);
		if (request.method === 'HEAD') {
			response.end();
			return;
		}
		// Faults hit only a body request long enough to reach them, never a probe or a header read.
		const fault = range && end - start + 1 > faultOffset(file) ? takeFault(file) : undefined;
		if (fault) {
			this.faults.push({ kind: fault.kind, path, range: request.headers.range ?? '' });
		}
		const chunk = file.chunkBytes ?? 64 * 1024;
		for (let offset = start; offset <= end; offset += chunk) {
			const stop = Math.min(end + 1, offset + chunk);
			if (fault && stop - start > fault.afterBytes) {
				this.sentBytes += start + fault.afterBytes - offset;
				served.sentBytes += start + fault.afterBytes - offset;
				response.write(file.body.subarray(offset, start + fault.afterBytes));
				await new Promise(resolve => setTimeout(resolve, 20));
				switch (fault.kind) {
					case 'cut':
						request.socket.destroy();
						break;
					case 'reset':
						request.socket.resetAndDestroy();
						break;
					case 'stall':
						this.stalled.add(response);
						break;
					default:
						void (fault.kind satisfies never);
				}
				file.afterFault?.();
				return;
			}
			this.sentBytes += stop - offset;
			served.sentBytes += stop - offset;
			if (!response.write(file.body.subarray(offset, stop))) {
				await once(response, 'drain');
			}
			if (file.chunkDelayMs) {
				await new Promise(resolve => setTimeout(resolve, file.chunkDelayMs));
			}
			if (request.socket.destroyed) {
				return;
			}
		}
		response.end();
	}
}

/** Body bytes after which the next fault happens; Infinity when none is pending. */
function faultOffset(file: ServedFile): number {
	const next = takeFault({ ...file });
	return next?.afterBytes ?? Infinity;
}

/** The fault the next GET of a file gets, if any, counting it down. */
function takeFault(file: ServedFile): { kind: 'cut' | 'stall' | 'reset'; afterBytes: number } | undefined {
	if ((file.cuts ?? 0) > 0 && file.cutAfterBytes !== undefined) {
		file.cuts = (file.cuts ?? 0) - 1;
		return { kind: 'cut', afterBytes: file.cutAfterBytes };
	}
	if ((file.stalls ?? 0) > 0 && file.stallAfterBytes !== undefined) {
		file.stalls = (file.stalls ?? 0) - 1;
		return { kind: 'stall', afterBytes: file.stallAfterBytes };
	}
	if ((file.resets ?? 0) > 0 && file.resetAfterBytes !== undefined) {
		file.resets = (file.resets ?? 0) - 1;
		return { kind: 'reset', afterBytes: file.resetAfterBytes };
	}
	return undefined;
}
