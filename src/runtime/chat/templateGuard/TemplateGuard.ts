import type { BuiltinSpecialTokenValue, ChatWrapperSettings, GgufMetadata, LlamaModel, ResolveChatWrapperWithModelOptions } from 'node-llama-cpp';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { RuntimeError } from '../../errors/RuntimeError';
import { findTemplateWorker } from './findTemplateWorker';
import { GuardedChatWrapper, type ContextStateRenderer } from './GuardedChatWrapper';
import { decodeLlamaValues, encodeLlamaValues, type Encoded } from './llamaTextCodec';
import { templateRefusal } from './templateRefusal';
import { sharedLayout, type TemplateViolation, type TemplateWorkerData, type TemplateWorkerReply, type TemplateWorkerRequest, type TokenizerOperation } from './workerMessages';

export interface TemplateGuardOptions {
	/** Named in refusals. */
	readonly modelName: string;
	/**
	 * The longest one render of the template may take in the worker before the template is refused.
	 * Generous, because nothing waits on it but the chat, and llama.cpp may keep every core busy
	 * meanwhile. Defaults to `1000` (ms); a normal template renders a long chat in about 1 ms.
	 */
	readonly renderTimeoutMs?: number;
	/**
	 * The longest the main thread waits for a render node-llama-cpp asks for synchronously and
	 * nobody rendered ahead. That is not rare: besides a context shift, LlamaChat renders the chat
	 * again whenever a thought budget runs out (it closes the thought first), which at effort Off is
	 * the first thought token of a model that thinks anyway. Past the wait, that answer fails and the
	 * render goes on being watched in the worker. Defaults to `renderTimeoutMs`: a render within its
	 * bound is never failed for the wait. A busy machine can leave the worker unscheduled for longer
	 * than a render takes (a 50 ms wait failed about one Off answer in eight on a loaded 2-core
	 * machine, while the template renders in about 1 ms).
	 */
	readonly syncWaitMs?: number;
	/** Characters a render may produce beyond twice its input. Defaults to `100_000`. */
	readonly maxOutputChars?: number;
	/**
	 * The longest resolving one wrapper may take in all: node-llama-cpp renders the template
	 * thousands of times to compare it with its built-in formats. Defaults to `30_000` (ms).
	 */
	readonly resolveTimeoutMs?: number;
}

/** What the guard needs of a model: what `resolveChatWrapper(model)` reads, and its tokenizer. */
export interface TemplateModel {
	readonly tokens: { readonly bosString: string | null };
	readonly filename: string | undefined;
	readonly fileInfo: { readonly metadata: GgufMetadata };
	readonly tokenizer: LlamaModel['tokenizer'];
}

type WorkerAnswer = TemplateWorkerReply.Resolved | TemplateWorkerReply.Rendered;

/** How often the main thread looks at the render running in the worker. */
const watchIntervalMs = 10;

/**
 * Runs one model's chat template in a worker thread with a time and a size bound. The wrappers it
 * resolves are {@link GuardedChatWrapper}s whose renders run in that worker; the first render that
 * breaks a bound stops the worker, and from then on every use of the template throws the same
 * `unsafeChatTemplate` {@link RuntimeError}.
 */
export class TemplateGuard implements ContextStateRenderer {
	private readonly renderTimeoutMs: number;
	private readonly syncWaitMs: number;
	private readonly maxOutputChars: number;
	private readonly resolveTimeoutMs: number;
	private readonly shared = new SharedArrayBuffer(sharedLayout.bytes);
	private readonly flags = new Int32Array(this.shared);
	private readonly clock = new Float64Array(this.shared, 0, 1);
	private worker: Worker | undefined;
	/** Set once: the template broke a bound, or the worker failed. */
	private unusable: RuntimeError | undefined;
	private inFlight: { readonly id: number; readonly settle: (reply: TemplateWorkerReply.Type | RuntimeError) => void } | undefined;
	private queue: Promise<unknown> = Promise.resolve();
	/** A synchronous render the main thread stopped waiting for, still running (and watched) in the worker. */
	private orphan: Promise<void> | undefined;
	private nextId = 1;
	private syncRenders = 0;

	constructor(private readonly model: TemplateModel, private readonly options: TemplateGuardOptions) {
		this.renderTimeoutMs = options.renderTimeoutMs ?? 1000;
		this.syncWaitMs = options.syncWaitMs ?? this.renderTimeoutMs;
		this.maxOutputChars = options.maxOutputChars ?? 100_000;
		this.resolveTimeoutMs = options.resolveTimeoutMs ?? 30_000;
	}

	/** The wrapper `resolveChatWrapper(model, { customWrapperSettings })` would give, resolved in the worker. */
	async resolve(key: string, customWrapperSettings: ResolveChatWrapperWithModelOptions['customWrapperSettings']): Promise<GuardedChatWrapper> {
		const reply = await this.enqueue(id => ({
			type: 'resolve', id, key,
			bosString: this.model.tokens.bosString ?? undefined,
			filename: this.model.filename,
			metadata: chatMetadataOf(this.model),
			customWrapperSettings: encodeLlamaValues(customWrapperSettings ?? {}),
		}), this.resolveTimeoutMs);
		if (reply.type !== 'resolved') {
			throw new RuntimeError({ code: 'internal', message: 'The template worker answered a resolve with a render.', action: 'Report this as a bug.' });
		}
		return new GuardedChatWrapper(this, key, reply.wrapperName, decodeLlamaValues<ChatWrapperSettings>(reply.settings));
	}

	async render(key: string, options: Encoded): Promise<Encoded> {
		// generateContextState may try a few renders (with and without a generation prompt); each has the bound.
		const reply = await this.enqueue(id => ({ type: 'render', id, key, options }), this.renderTimeoutMs * 10);
		return stateOf(reply);
	}

	/** Renders node-llama-cpp asked for that nobody did ahead, so the main thread waited (tests assert which answers need one). */
	get synchronousRenders(): number {
		return this.syncRenders;
	}

	renderSync(key: string, options: Encoded): Encoded {
		this.throwIfUnusable();
		this.syncRenders++;
		const worker = this.worker;
		if (!worker || this.inFlight || this.orphan) {
			// Never expected: an answer's renders ahead have settled before LlamaChat asks, and one answer uses a template at a time.
			throw new RuntimeError({ code: 'internal', message: 'The chat template is busy with another render.', action: 'Ask again.' });
		}
		const channel = new MessageChannel();
		Atomics.store(this.flags, sharedLayout.syncReplyFlag, 0);
		const request: TemplateWorkerRequest.Render = { type: 'render', id: this.nextId++, key, options, replyPort: channel.port2 };
		worker.postMessage(request, [channel.port2 as MessagePort]);
		Atomics.wait(this.flags, sharedLayout.syncReplyFlag, 0, this.syncWaitMs);
		const received = receiveMessageOnPort(channel.port1) as { message: TemplateWorkerReply.Type } | undefined;
		if (received) {
			channel.port1.close();
			return stateOf(this.answerOf(received.message));
		}
		// The main thread waits no longer; the worker's render goes on under the watch, and is refused if it runs past its bound.
		this.orphan = new Promise(resolve => this.watch(request.id, this.renderTimeoutMs * 10, () => {
			channel.port1.close();
			this.orphan = undefined;
			resolve();
		}));
		channel.port1.on('message', (reply: TemplateWorkerReply.Type) => {
			if (reply.type !== 'tokenizer' && this.inFlight?.id === reply.id) {
				this.inFlight.settle(reply);
			}
		});
		throw new RuntimeError({
			code: 'unsafeChatTemplate',
			message: `The chat template of ${this.options.modelName} took longer than ${this.syncWaitMs} ms to render this conversation.`,
			action: 'Ask again. If it keeps happening, use another chat model: set bora.chat.modelPath to a GGUF whose chat template renders quickly.',
		});
	}

	async dispose(): Promise<void> {
		this.unusable ??= new RuntimeError({ code: 'internal', message: 'The chat model was unloaded.', action: 'Ask again: the model loads again.' });
		await this.stopWorker(this.unusable);
	}

	/** Runs one request at a time in the worker, watching its renders until it answers. */
	private enqueue(request: (id: number) => TemplateWorkerRequest.Type, timeoutMs: number): Promise<WorkerAnswer> {
		const run = this.queue.then(() => this.run(request(this.nextId++), timeoutMs));
		this.queue = run.catch(() => undefined);
		return run;
	}

	private async run(request: TemplateWorkerRequest.Type, timeoutMs: number): Promise<WorkerAnswer> {
		while (this.orphan) {
			await this.orphan;
		}
		this.throwIfUnusable();
		const worker = this.startWorker();
		return new Promise<WorkerAnswer>((resolve, reject) => {
			this.watch(request.id, timeoutMs, reply => {
				try {
					resolve(this.answerOf(reply));
				} catch (error) {
					reject(error);
				}
			});
			worker.postMessage(request);
		});
	}

	/** Watches the request the worker runs now until it answers: a render past its bound, or the whole request past `timeoutMs`, is refused. */
	private watch(id: number, timeoutMs: number, onSettled: (reply: TemplateWorkerReply.Type | RuntimeError) => void): void {
		const started = Date.now();
		const timer = setInterval(() => {
			const renderStarted = this.clock[sharedLayout.renderStartedAt]!;
			if (renderStarted > 0 && Date.now() - renderStarted > this.renderTimeoutMs) {
				this.refuse({ kind: 'time', limitMs: this.renderTimeoutMs });
			} else if (Date.now() - started > timeoutMs) {
				this.refuse({ kind: 'time', limitMs: timeoutMs });
			}
		}, watchIntervalMs);
		this.inFlight = {
			id,
			settle: reply => {
				clearInterval(timer);
				this.inFlight = undefined;
				onSettled(reply);
			},
		};
	}

	private answerOf(reply: TemplateWorkerReply.Type | RuntimeError): WorkerAnswer {
		if (reply instanceof RuntimeError) {
			throw reply;
		}
		switch (reply.type) {
			case 'resolved':
			case 'rendered':
				return reply;
			case 'refused':
				throw this.refuse(reply.violation);
			case 'failed':
				throw new RuntimeError({
					code: 'noChatTemplate',
					message: `The chat template of ${this.options.modelName} cannot be used: ${reply.message}`,
					action: 'Choose another chat model (bora.chat.modelPath).',
				});
			case 'tokenizer':
				throw new RuntimeError({ code: 'internal', message: 'The template worker sent a tokenizer call as an answer.', action: 'Report this as a bug.' });
			default:
				throw reply satisfies never;
		}
	}

	private startWorker(): Worker {
		if (this.worker) {
			return this.worker;
		}
		const path = findTemplateWorker();
		if (!path) {
			throw new RuntimeError({ code: 'internal', message: 'templateWorker.mjs is missing next to the runtime bundle.', action: 'Reinstall the extension (or run npm run build).' });
		}
		const workerData: TemplateWorkerData = { shared: this.shared, maxOutputChars: this.maxOutputChars };
		// A template that builds a huge string fails on the worker's small heap, not the runtime's.
		const worker = new Worker(path, { workerData, resourceLimits: { maxOldGenerationSizeMb: 256 }, stderr: true, stdout: true });
		worker.unref();
		// Never onto the runtime's stdout, which may be the LSP connection: a template's output is dropped.
		worker.stdout.resume();
		worker.stderr.resume();
		worker.on('message', (message: TemplateWorkerReply.Type) => {
			if (message.type === 'tokenizer') {
				this.answerTokenizer(message.call, message.port);
			} else if (this.inFlight?.id === message.id) {
				this.inFlight.settle(message);
			}
		});
		worker.on('error', error => {
			const code = (error as { code?: string }).code;
			if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
				this.refuse({ kind: 'size', limitChars: this.maxOutputChars });
			} else {
				this.fail(`its worker stopped: ${error.message}`);
			}
		});
		worker.on('exit', () => {
			if (this.worker === worker) {
				this.fail('its worker exited');
			}
		});
		this.worker = worker;
		return worker;
	}

	/** Answers a tokenizer call from the worker, which waits for it on the shared flag. */
	private answerTokenizer(call: TokenizerOperation, port: MessagePort): void {
		let reply: { value?: unknown; error?: string };
		try {
			reply = { value: this.tokenize(call) };
		} catch (error) {
			reply = { error: error instanceof Error ? error.message : String(error) };
		}
		port.postMessage(reply);
		port.close();
		Atomics.store(this.flags, sharedLayout.tokenizerReplyFlag, 1);
		Atomics.notify(this.flags, sharedLayout.tokenizerReplyFlag);
	}

	private tokenize(call: TokenizerOperation): unknown {
		const tokenizer = this.model.tokenizer;
		switch (call.op) {
			case 'tokenize':
				return call.specialTokens === 'builtin'
					? tokenizer(call.text as BuiltinSpecialTokenValue, 'builtin')
					: tokenizer(call.text, call.specialTokens, call.options);
			case 'detokenize':
				return tokenizer.detokenize(call.tokens as Parameters<typeof tokenizer.detokenize>[0], call.specialTokens, call.lastTokens as Parameters<typeof tokenizer.detokenize>[2]);
			case 'isSpecialToken':
				return tokenizer.isSpecialToken(call.token as Parameters<typeof tokenizer.isSpecialToken>[0]);
			case 'isEogToken':
				return tokenizer.isEogToken(call.token as Parameters<typeof tokenizer.isEogToken>[0]);
			default:
				throw call satisfies never;
		}
	}

	private refuse(violation: TemplateViolation): RuntimeError {
		if (!this.unusable) {
			this.unusable = templateRefusal(this.options.modelName, violation);
			void this.stopWorker(this.unusable);
		}
		return this.unusable;
	}

	private fail(detail: string): void {
		if (!this.unusable) {
			this.unusable = new RuntimeError({
				code: 'noChatTemplate',
				message: `The chat template of ${this.options.modelName} cannot be used: ${detail}.`,
				action: 'Choose another chat model (bora.chat.modelPath); see the runtime log for details.',
			});
			void this.stopWorker(this.unusable);
		}
	}

	private async stopWorker(reason: RuntimeError): Promise<void> {
		const worker = this.worker;
		this.worker = undefined;
		this.inFlight?.settle(reason);
		await worker?.terminate();
	}

	throwIfUnusable(): void {
		if (this.unusable) {
			throw this.unusable;
		}
	}
}

function stateOf(reply: WorkerAnswer): Encoded {
	if (reply.type !== 'rendered') {
		throw new RuntimeError({ code: 'internal', message: 'The template worker answered a render with a resolve.', action: 'Report this as a bug.' });
	}
	return reply.state;
}

/** What chat wrappers read of the GGUF metadata: the general facts and the chat template, not the vocabulary. */
function chatMetadataOf(model: TemplateModel): Record<string, unknown> {
	const metadata = model.fileInfo.metadata;
	return { general: metadata.general, tokenizer: { chat_template: metadata.tokenizer?.chat_template } };
}
