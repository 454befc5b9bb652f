import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
	readonly body: Buffer;
	/** Cut the connection after this many body bytes, for the next `cuts` GET requests. */
	cutAfterBytes?: number;
	cuts?: number;
	/** Pause between chunks, so a download can be cancelled midway. */
	chunkDelayMs?: number;
}

export interface ServedRequest {
	readonly method: string;
	readonly path: string;
	readonly range?: string;
}

/** A tiny HTTP file server on 127.0.0.1 with Range support and cut connections, for download tests. */
export class ModelFileServer {
	readonly files = new Map<string, ServedFile>();
	readonly requests: ServedRequest[] = [];
	/** Body bytes written so far, all files and requests together. */
	sentBytes = 0;
	private server: Server | undefined;
	private port = 0;

	url(path: string): string {
		return `http://127.0.0.1:${this.port}${path}`;
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

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise(resolve => this.server?.close(resolve));
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const path = new URL(request.url ?? '/', 'http://x').pathname;
		this.requests.push({ method: request.method ?? 'GET', path, ...(request.headers.range ? { range: request.headers.range } : {}) });
		const file = this.files.get(path);
		if (!file) {
			response.writeHead(404).end('not found');
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
		const cut = (file.cuts ?? 0) > 0 && file.cutAfterBytes !== undefined ? file.cutAfterBytes : undefined;
		if (cut !== undefined) {
			file.cuts = (file.cuts ?? 0) - 1;
		}
		const chunk = 64 * 1024;
		for (let offset = start; offset <= end; offset += chunk) {
			const stop = Math.min(end + 1, offset + chunk);
			if (cut !== undefined && stop - start > cut) {
				this.sentBytes += start + cut - offset;
				response.write(file.body.subarray(offset, start + cut));
				await new Promise(resolve => setTimeout(resolve, 20));
				request.socket.destroy();
				return;
			}
			this.sentBytes += stop - offset;
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
