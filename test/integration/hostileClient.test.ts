import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { RuntimeStateRequest } from '../../src/shared/protocol';
import { serverModule } from '../support/paths';

interface WireMessage {
	readonly id?: number | string | null;
	readonly method?: string;
	readonly result?: unknown;
	readonly error?: { readonly code: number; readonly message: string };
	readonly params?: { readonly message?: string };
}

/**
 * A client that writes raw bytes to the runtime's stdin, as a buggy or hostile editor could, and
 * reads the runtime's own (well-framed) answers from its stdout.
 */
class RawClient {
	readonly received: WireMessage[] = [];
	readonly stderr: string[] = [];
	private pending = Buffer.alloc(0);
	private waiters: Array<() => void> = [];
	private nextId = 1;

	constructor(readonly child: ChildProcessWithoutNullStreams) {
		child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
		child.stderr.on('data', (chunk: Buffer) => this.stderr.push(String(chunk)));
	}

	static async start(): Promise<RawClient> {
		const client = new RawClient(spawn(process.execPath, [serverModule, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] }));
		const result = await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
		assert.ok(result.result, 'initialized');
		client.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
		return client;
	}

	write(bytes: string | Buffer): void {
		this.child.stdin.write(bytes);
	}

	/** Sends a well-framed request and resolves with its answer. */
	request(method: string, params?: unknown): Promise<WireMessage> {
		const id = this.nextId++;
		this.write(frame({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
		return this.waitFor(message => message.id === id);
	}

	/** Resolves with the first message received that matches; waits on data, never on timers. */
	async waitFor(matches: (message: WireMessage) => boolean): Promise<WireMessage> {
		for (;;) {
			const found = this.received.find(matches);
			if (found) {
				return found;
			}
			if (this.child.exitCode !== null) {
				throw new Error(`The runtime exited (${this.child.exitCode}): ${this.stderr.join('')}`);
			}
			await new Promise<void>(resolve => this.waiters.push(resolve));
		}
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null) {
			return;
		}
		const exited = once(this.child, 'exit');
		await this.request('shutdown');
		this.write(frame({ jsonrpc: '2.0', method: 'exit' }));
		await exited;
	}

	private onData(chunk: Buffer): void {
		this.pending = Buffer.concat([this.pending, chunk]);
		for (;;) {
			const end = this.pending.indexOf('\r\n\r\n');
			const length = /Content-Length: (\d+)/i.exec(this.pending.subarray(0, Math.max(0, end)).toString('latin1'))?.[1];
			if (end < 0 || length === undefined || this.pending.length < end + 4 + Number(length)) {
				break;
			}
			this.received.push(JSON.parse(this.pending.subarray(end + 4, end + 4 + Number(length)).toString('utf8')) as WireMessage);
			this.pending = this.pending.subarray(end + 4 + Number(length));
		}
		const waiters = this.waiters;
		this.waiters = [];
		waiters.forEach(wake => wake());
	}
}

function frame(message: object): string {
	const body = JSON.stringify(message);
	return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** A request body whose framing the cases below get wrong. */
const lostBody = JSON.stringify({ jsonrpc: '2.0', id: 999, method: RuntimeStateRequest.method });

describe('a hostile client over stdio: bad framing gets a parse error, and the stream reads on', function () {
	this.timeout(60_000);
	let client: RawClient;

	beforeEach(async () => {
		client = await RawClient.start();
	});

	afterEach(async () => {
		await client.stop();
	});

	/** Sends `bytes`, expects one parse error (-32700, id null) and a logged reason, then a normal request answered on the same stream. */
	async function assertResyncs(bytes: string, reason: RegExp): Promise<void> {
		client.write(bytes);
		const error = await client.waitFor(message => message.error !== undefined && message.id === null);
		assert.equal(error.error!.code, -32700);
		assert.match(error.error!.message, reason);
		const logged = await client.waitFor(message => message.method === 'window/logMessage' && /Bad message from the client/.test(message.params?.message ?? ''));
		assert.match(logged.params!.message!, reason);
		const state = await client.request(RuntimeStateRequest.method);
		assert.equal((state.result as { kind: string }).kind, 'idle', 'a normal request after the bad frame is answered');
		assert.equal(client.child.exitCode, null, 'still running');
		assert.equal(client.received.filter(message => message.id === null).length, 1, 'one parse error for one bad frame');
	}

	it('a header without Content-Length', async () => {
		await assertResyncs(`Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${lostBody}`, /must provide a Content-Length/);
	});

	it('a negative Content-Length', async () => {
		await assertResyncs(`Content-Length: -5\r\n\r\n${lostBody}`, /non-negative integer, got "-5"/);
	});

	it('a non-numeric Content-Length', async () => {
		await assertResyncs(`Content-Length: twelve\r\n\r\n${lostBody}`, /non-negative integer, got "twelve"/);
	});

	it('a Content-Length shorter than its body', async () => {
		await assertResyncs(`Content-Length: 10\r\n\r\n${lostBody}`, /body of 10 bytes is not valid JSON/);
	});

	it('a Content-Length longer than its body: the next message is not swallowed', async () => {
		// The bad frame and the good request in one write: the reader must find the good one inside the "body".
		client.write(`Content-Length: 5000\r\n\r\n${lostBody}`);
		const state = await client.request(RuntimeStateRequest.method);
		assert.equal((state.result as { kind: string }).kind, 'idle');
		const error = await client.waitFor(message => message.id === null);
		assert.match(error.error!.message, /Content-Length 5000 is longer than the message/);
	});

	it('JSON with no header at all, and then a good request in the same write', async () => {
		client.write(lostBody);
		const state = await client.request(RuntimeStateRequest.method);
		assert.equal((state.result as { kind: string }).kind, 'idle');
		assert.match((await client.waitFor(message => message.id === null)).error!.message, /Message header must (start with|separate)/);
	});

	it('a framed body that is JSON but not a message is refused alone (-32600), and the next is answered', async () => {
		client.write('Content-Length: 2\r\n\r\n[]');
		assert.equal((await client.waitFor(message => message.id === null)).error!.code, -32600);
		assert.equal(((await client.request(RuntimeStateRequest.method)).result as { kind: string }).kind, 'idle');
	});
});
