/*
 * Our own reader for the stdio transport, in place of vscode-jsonrpc's `StreamMessageReader`, which
 * trusts the client's framing: a header without `Content-Length` or with a negative or wrong one
 * left its buffer out of step, and the server stayed alive but never answered again. This reader is
 * written against the library's `AbstractMessageReader` (the library itself is not forked), checks
 * every header, and after a framing error skips to the next `Content-Length:` header, so the stream
 * resynchronises and the next good message is answered.
 */
import type { Readable } from 'node:stream';
import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-languageserver/node';

/** A frame the reader could not use: `-32700` for bad framing or JSON, `-32600` for JSON that is not a message. */
export interface FramingError {
	readonly code: -32700 | -32600;
	readonly message: string;
}

export interface ResyncingMessageReaderOptions {
	/** Told each framing error once; the reader then skips to the next header by itself. Defaults to nothing. */
	readonly onFramingError?: (error: FramingError) => void;
	/** A header block longer than this is not a header. Defaults to `8192` bytes. */
	readonly maxHeaderBytes?: number;
	/** A larger `Content-Length` is refused rather than waited for. Defaults to `268435456` (256 MiB). */
	readonly maxContentLength?: number;
}

const headerEnd = Buffer.from('\r\n\r\n', 'latin1');
/** A header line: an HTTP token, a colon, a value. */
const headerLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
/** What a header block starts with: token characters, then a colon (or the end of what has come so far). */
const headerStart = /^[!#$%&'*+.^_`|~0-9A-Za-z-]*(:|$)/;
const contentLengthName = /content-length:/i;
/**
 * A raw `Content-Length: N` line. Inside a JSON body it cannot occur: a raw CR LF is invalid in a
 * JSON string and the name is invalid outside one. So a body that holds one was declared too long
 * and has swallowed the next message.
 */
const contentLengthLine = /content-length:[ \t]*\d+[ \t]*\r\n/i;
/** Bytes of a header line that can straddle two chunks while looking for {@link contentLengthLine}. */
const lineCarry = 64;

/**
 * Reads LSP base-protocol frames (`Content-Length: N\r\n\r\n` + N bytes of JSON) from a byte stream.
 * A frame with no, a negative, a non-numeric or a too large `Content-Length`, with a body that is not
 * JSON (declared too short), or whose body holds the next header (declared too long) is reported
 * once through `onFramingError`; the reader then drops bytes up to the next `Content-Length:` and
 * reads on from there.
 */
export class ResyncingMessageReader extends AbstractMessageReader {
	private readonly onFramingError: (error: FramingError) => void;
	private readonly maxHeaderBytes: number;
	private readonly maxContentLength: number;
	private chunks: Buffer[] = [];
	private buffered = 0;
	/** `header`: a header block comes next; `resync`: garbage, up to the next `Content-Length:`; a number: that many body bytes. */
	private expecting: 'header' | 'resync' | number = 'header';
	/** Since a framing error and until the next good message: further bad frames are the same error. */
	private resyncing = false;
	/** Body bytes already searched for a swallowed header. */
	private bodyScanned = 0;
	/** Where the search for the next header starts: 1 after a bad header (it is not tried again), 0 after a bad body. */
	private skipFrom = 0;
	private callback: DataCallback | undefined;

	constructor(private readonly readable: Readable, { onFramingError = () => { }, maxHeaderBytes = 8192, maxContentLength = 256 * 1024 * 1024 }: ResyncingMessageReaderOptions = {}) {
		super();
		this.onFramingError = onFramingError;
		this.maxHeaderBytes = maxHeaderBytes;
		this.maxContentLength = maxContentLength;
	}

	listen(callback: DataCallback): Disposable {
		this.callback = callback;
		const onData = (chunk: Buffer) => this.onData(chunk);
		const onError = (error: Error) => this.fireError(error);
		const onClose = () => this.fireClose();
		this.readable.on('data', onData);
		this.readable.on('error', onError);
		this.readable.on('close', onClose);
		this.readable.on('end', onClose);
		return Disposable.create(() => {
			this.callback = undefined;
			this.readable.off('data', onData);
			this.readable.off('error', onError);
			this.readable.off('close', onClose);
			this.readable.off('end', onClose);
		});
	}

	private onData(chunk: Buffer): void {
		this.chunks.push(chunk);
		this.buffered += chunk.length;
		try {
			while (this.step()) {
				// Each step consumed something; go on while whole frames are buffered.
			}
		} catch (error) {
			this.fireError(error);
		}
	}

	/** Consumes what it can from the buffer; `false` when it has to wait for more bytes. */
	private step(): boolean {
		if (this.expecting === 'resync') {
			return this.skipToHeader();
		}
		if (this.expecting === 'header') {
			return this.readHeader();
		}
		return this.readBody(this.expecting);
	}

	private skipToHeader(): boolean {
		const text = this.peek(this.buffered).toString('latin1');
		const found = text.slice(this.skipFrom).search(contentLengthName);
		if (found < 0) {
			// Keep what could be the start of a header split across chunks.
			this.drop(Math.max(0, this.buffered - 15));
			this.skipFrom = 0;
			return false;
		}
		this.drop(this.skipFrom + found);
		this.expecting = 'header';
		return true;
	}

	private readHeader(): boolean {
		const head = this.peek(Math.min(this.buffered, this.maxHeaderBytes + headerEnd.length));
		const end = head.indexOf(headerEnd);
		if (end < 0) {
			if (!headerStart.test(head.toString('latin1').split('\r\n', 1)[0]!)) {
				return this.fail('Message header must start with "Name: value"');
			}
			return head.length > this.maxHeaderBytes ? this.fail(`Message header is longer than ${this.maxHeaderBytes} bytes`) : false;
		}
		let length: number | undefined;
		for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
			const match = headerLine.exec(line);
			if (!match) {
				return this.fail(`Message header must separate key and value with ":": ${JSON.stringify(line.slice(0, 80))}`);
			}
			if (match[1]!.toLowerCase() !== 'content-length') {
				continue;
			}
			const value = match[2]!;
			if (!/^\d+$/.test(value)) {
				return this.fail(`Content-Length must be a non-negative integer, got ${JSON.stringify(value.slice(0, 40))}`);
			}
			length = Number(value);
			if (length > this.maxContentLength) {
				return this.fail(`Content-Length ${length} is over the limit of ${this.maxContentLength} bytes`);
			}
		}
		if (length === undefined) {
			return this.fail('Message header must provide a Content-Length');
		}
		this.drop(end + headerEnd.length);
		this.expecting = length;
		this.bodyScanned = 0;
		return true;
	}

	private readBody(length: number): boolean {
		if (this.buffered < length) {
			return this.findSwallowedHeader();
		}
		const body = this.take(length);
		this.expecting = 'header';
		let message: unknown;
		try {
			message = JSON.parse(body.toString('utf8'));
		} catch {
			// The remaining bytes are the rest of a body declared too short: skip them.
			return this.fail(`Message body of ${length} bytes is not valid JSON (is its Content-Length right?)`, 0);
		}
		if (typeof message !== 'object' || message === null || Array.isArray(message)) {
			// Framed right, so the stream is in step: only this message is refused.
			this.onFramingError({ code: -32600, message: 'Message must be a JSON-RPC object' });
			return true;
		}
		this.resyncing = false;
		this.callback?.(message as Message);
		return true;
	}

	/**
	 * While a body is incomplete, looks through the bytes that came since the last look for a header
	 * line ({@link contentLengthLine}); finding one means the Content-Length was too long, and waiting
	 * for the rest would swallow every later message.
	 */
	private findSwallowedHeader(): boolean {
		const from = Math.max(0, this.bodyScanned - lineCarry);
		const found = this.tail(from).toString('latin1').search(contentLengthLine);
		this.bodyScanned = this.buffered;
		if (found < 0) {
			return false;
		}
		const length = this.expecting;
		this.drop(from + found);
		return this.fail(`Content-Length ${String(length)} is longer than the message: the next header came first`, 0);
	}

	/** A framing error: said once per run of bad frames, then the bytes up to the next header go. */
	private fail(message: string, skipFrom: 0 | 1 = 1): boolean {
		if (!this.resyncing) {
			this.resyncing = true;
			this.onFramingError({ code: -32700, message });
		}
		this.expecting = 'resync';
		this.skipFrom = skipFrom;
		return true;
	}

	/** The buffered bytes from `from` on, joining only the last chunks (a body that grows chunk by chunk is never joined whole). */
	private tail(from: number): Buffer {
		let start = this.buffered;
		let index = this.chunks.length;
		while (index > 0 && start > from) {
			start -= this.chunks[--index]!.length;
		}
		return Buffer.concat(this.chunks.slice(index)).subarray(from - start);
	}

	/** The first `count` buffered bytes, left in the buffer. */
	private peek(count: number): Buffer {
		if (this.chunks.length > 1 && this.chunks[0]!.length < count) {
			this.chunks = [Buffer.concat(this.chunks, this.buffered)];
		}
		return this.chunks.length === 0 ? Buffer.alloc(0) : this.chunks[0]!.subarray(0, count);
	}

	/** The first `count` buffered bytes, taken out of the buffer. */
	private take(count: number): Buffer {
		const taken = this.peek(count);
		this.drop(count);
		return taken;
	}

	private drop(count: number): void {
		this.buffered -= count;
		while (count > 0) {
			const first = this.chunks[0]!;
			if (first.length <= count) {
				this.chunks.shift();
				count -= first.length;
			} else {
				this.chunks[0] = first.subarray(count);
				count = 0;
			}
		}
	}
}
