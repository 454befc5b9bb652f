import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Message } from 'vscode-languageserver/node';
import { ResyncingMessageReader, type FramingError } from '../../src/lsp/ResyncingMessageReader';

/** A reader over an in-memory stream, with what it delivered and reported. */
function readerOver() {
	const stream = new PassThrough();
	const messages: Message[] = [];
	const errors: FramingError[] = [];
	const reader = new ResyncingMessageReader(stream, { onFramingError: error => errors.push(error), maxHeaderBytes: 256 });
	reader.listen(message => messages.push(message));
	/** Writes each piece as its own chunk and lets the stream deliver them. */
	const write = async (...pieces: (string | Buffer)[]) => {
		for (const piece of pieces) {
			stream.write(piece);
		}
		await new Promise(resolve => setImmediate(resolve));
	};
	return { messages, errors, write };
}

function frame(message: object): string {
	const body = JSON.stringify(message);
	return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const good = frame({ jsonrpc: '2.0', id: 1, method: 'good', params: { text: 'é Content-Length: 3' } });

describe('the stdio message reader: checks the framing and resynchronises', () => {
	it('reads a message split at every byte, multi-byte characters included', async () => {
		const { messages, errors, write } = readerOver();
		const bytes = Buffer.from(good + good);
		await write(...Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
		assert.equal(messages.length, 2);
		assert.deepEqual(messages[0], { jsonrpc: '2.0', id: 1, method: 'good', params: { text: 'é Content-Length: 3' } });
		assert.deepEqual(errors, []);
	});

	for (const [name, bad, reason] of [
		['no Content-Length', 'Content-Type: x\r\n\r\n{"jsonrpc":"2.0"}', /must provide a Content-Length/],
		['a negative one', 'Content-Length: -5\r\n\r\n{"a":1}', /non-negative integer/],
		['a non-numeric one', 'Content-Length: 1e3\r\n\r\n{"a":1}', /non-negative integer/],
		['one over the limit', 'Content-Length: 999999999999\r\n\r\n', /over the limit/],
		['one shorter than the body', 'Content-Length: 3\r\n\r\n{"jsonrpc":"2.0"}', /not valid JSON/],
		['no header at all', '{"jsonrpc":"2.0","id":5,"method":"x"}', /Message header must/],
		['a header line without a colon', 'Content-Length 5\r\n\r\nhello', /separate key and value/],
		['a header block that never ends', `X-Padding: ${'x'.repeat(400)}`, /longer than 256 bytes/],
	] as const) {
		it(`${name}: one parse error, then the next good message`, async () => {
			const { messages, errors, write } = readerOver();
			await write(bad);
			await write(good);
			assert.equal(errors.length, 1, JSON.stringify(errors));
			assert.equal(errors[0]!.code, -32700);
			assert.match(errors[0]!.message, reason);
			assert.deepEqual(messages.map(message => (message as { method?: string }).method), ['good']);
		});
	}

	it('a Content-Length longer than the body: the next header inside it is found, and its message read', async () => {
		const { messages, errors, write } = readerOver();
		await write('Content-Length: 100000\r\n\r\n{"jsonrpc":"2.0",', good);
		assert.match(errors[0]!.message, /longer than the message/);
		assert.equal(messages.length, 1);
	});

	it('bad frames in a row are one error, and good framing after them counts again', async () => {
		const { messages, errors, write } = readerOver();
		await write('Content-Length: -1\r\n\r\n', 'Content-Length: x\r\n\r\n', 'garbage');
		await write(good);
		await write('Content-Length: -2\r\n\r\n', good);
		assert.equal(errors.length, 2);
		assert.equal(messages.length, 2);
	});

	it('JSON that is not a message object is refused alone (-32600), without skipping what follows', async () => {
		const { messages, errors, write } = readerOver();
		await write('Content-Length: 4\r\n\r\nnull', good);
		assert.deepEqual(errors.map(error => error.code), [-32600]);
		assert.equal(messages.length, 1);
	});
});
