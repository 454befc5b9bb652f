import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface LlamaServerOptions {
	/** The `llama-server` binary (see `ensureLlamaTools`). */
	readonly binary: string;
	readonly modelPath: string;
	/** Threads while generating (`--threads`). Defaults to `1`. */
	readonly threads?: number;
	/** Threads for prompt evaluation (`--threads-batch`). Defaults to `threads`. */
	readonly batchThreads?: number;
	/** Defaults to `4096`, Bora's completion context. */
	readonly contextSize?: number;
	/** `--cache-reuse`: the smallest chunk the server shifts into place instead of re-evaluating. Defaults to `256`, llama.vscode's recommendation. */
	readonly cacheReuse?: number;
	/** More arguments, appended last. Defaults to none. */
	readonly args?: readonly string[];
	/** How long the model may take to load. Defaults to `60_000` ms. */
	readonly startTimeoutMs?: number;
	/** The port to listen on (a server restarted where clients already point). Defaults to a free one. */
	readonly port?: number;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
	const server = createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const address = server.address();
	server.close();
	if (address === null || typeof address === 'string') {
		throw new Error('Could not find a free TCP port');
	}
	return address.port;
}

/**
 * A real `llama-server` on 127.0.0.1 with one slot (so its prompt cache is the one the next
 * request reuses), started and waited for until `/health` answers 200.
 */
export class LlamaServerProcess {
	private readonly output: string[] = [];

	private constructor(readonly process: ChildProcess, readonly url: string) {
		process.stdout?.on('data', chunk => this.keep(String(chunk)));
		process.stderr?.on('data', chunk => this.keep(String(chunk)));
	}

	static async start({ binary, modelPath, threads = 1, batchThreads = threads, contextSize = 4096, cacheReuse = 256, args = [], startTimeoutMs = 60_000, port: chosenPort }: LlamaServerOptions): Promise<LlamaServerProcess> {
		const port = chosenPort ?? await freePort();
		const child = spawn(binary, [
			'--model', modelPath, '--host', '127.0.0.1', '--port', String(port), '--threads', String(threads), '--threads-batch', String(batchThreads),
			'--ctx-size', String(contextSize), '--parallel', '1', '--cache-reuse', String(cacheReuse), '--no-webui', ...args,
		], { stdio: ['ignore', 'pipe', 'pipe'] });
		const server = new LlamaServerProcess(child, `http://127.0.0.1:${port}`);
		const deadline = Date.now() + startTimeoutMs;
		while (Date.now() < deadline) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`llama-server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${server.log()}`);
			}
			try {
				if ((await fetch(`${server.url}/health`)).status === 200) {
					return server;
				}
			} catch {
				// Not listening yet.
			}
			await new Promise(resolve => setTimeout(resolve, 100));
		}
		await server.stop();
		throw new Error(`llama-server was not ready after ${startTimeoutMs} ms:\n${server.log()}`);
	}

	/** The server's last output, for error messages. */
	log(): string {
		return this.output.join('').slice(-4000);
	}

	/** POSTs `body` as JSON to `path` and returns the parsed answer; throws with the server's error text on a non-2xx status. */
	async post<T>(path: string, body: unknown): Promise<T> {
		const response = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const text = await response.text();
		if (!response.ok) {
			throw new Error(`llama-server ${path} answered ${response.status}: ${text.slice(0, 500)}`);
		}
		return JSON.parse(text) as T;
	}

	/** The port it listens on. */
	get port(): number {
		return Number(new URL(this.url).port);
	}

	/** Ends it at once, as a crash or an out-of-memory kill would, and waits until it is gone. */
	async kill(): Promise<void> {
		if (this.process.exitCode === null && this.process.signalCode === null) {
			const exited = once(this.process, 'exit');
			this.process.kill('SIGKILL');
			await exited;
		}
	}

	async stop(): Promise<void> {
		if (this.process.exitCode === null && this.process.signalCode === null) {
			const exited = once(this.process, 'exit');
			this.process.kill('SIGTERM');
			const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(timer);
		}
	}

	private keep(text: string): void {
		this.output.push(text);
		if (this.output.length > 200) {
			this.output.splice(0, this.output.length - 100);
		}
	}
}
