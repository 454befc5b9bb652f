import assert from 'node:assert/strict';
import { describeNetworkError, modelCatalog, probeUrlOf } from '../../src/runtime';

/** Node's fetch throws `TypeError('fetch failed')` with the system error as its cause. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
const systemError = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('describeNetworkError', () => {
	const url = 'https://huggingface.co/Qwen/repo/resolve/main/model.gguf';

	it('names the cause in plain words from the code down the cause chain', () => {
		assert.equal(describeNetworkError(fetchFailed(systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND huggingface.co')), url), 'cannot resolve huggingface.co');
		assert.equal(describeNetworkError(fetchFailed(systemError('EAI_AGAIN')), url), 'cannot resolve huggingface.co');
		assert.equal(describeNetworkError(fetchFailed(systemError('ECONNREFUSED')), 'http://127.0.0.1:8080/m.gguf'), 'connection refused by 127.0.0.1:8080');
		assert.equal(describeNetworkError(fetchFailed(systemError('ECONNRESET')), url), 'the connection to huggingface.co was reset');
		assert.equal(describeNetworkError(fetchFailed(systemError('EHOSTUNREACH')), url), 'no route to huggingface.co');
		assert.equal(describeNetworkError(fetchFailed(systemError('UND_ERR_CONNECT_TIMEOUT')), url), 'no answer from huggingface.co (the connection timed out)');
		assert.equal(describeNetworkError(fetchFailed(systemError('CERT_HAS_EXPIRED')), url), 'a secure connection to huggingface.co failed (CERT_HAS_EXPIRED)');
		assert.equal(describeNetworkError(fetchFailed(systemError('ERR_SSL_WRONG_VERSION_NUMBER')), url), 'a secure connection to huggingface.co failed (ERR_SSL_WRONG_VERSION_NUMBER)');
	});

	it('finds the code inside an AggregateError (several addresses tried)', () => {
		const both = Object.assign(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], ''), {});
		assert.equal(describeNetworkError(fetchFailed(both), 'http://localhost:9/m.gguf'), 'connection refused by localhost:9');
	});

	it('says what the server answered for an HTTP status error (ipull\'s StatusCodeError)', () => {
		const statusError = Object.assign(new Error('Url: x, Status code: 404'), { url: 'https://example.org/m.gguf', statusCode: 404, statusText: '' });
		assert.equal(describeNetworkError(statusError, url), 'the server answered 404 Not Found for https://example.org/m.gguf');
	});

	it('keeps an unknown failure\'s innermost message', () => {
		assert.equal(describeNetworkError(fetchFailed(new Error('bad port')), 'https://127.0.0.1:1/x'), 'the request to 127.0.0.1:1 failed: bad port');
	});
});

describe('probeUrlOf', () => {
	it('probes an http(s) URL itself, and an hf: URI at its repository on the Hugging Face API', () => {
		assert.equal(probeUrlOf('http://127.0.0.1:8/m.gguf'), 'http://127.0.0.1:8/m.gguf');
		assert.equal(probeUrlOf('hf:Qwen/Qwen2.5-Coder-3B-Instruct-GGUF:Q4_K_M'), 'https://huggingface.co/api/models/Qwen/Qwen2.5-Coder-3B-Instruct-GGUF');
		assert.equal(probeUrlOf('hf:unsloth/Devstral-Small-2-24B-Instruct-2512-GGUF/mmproj-F16.gguf'), 'https://huggingface.co/api/models/unsloth/Devstral-Small-2-24B-Instruct-2512-GGUF');
		assert.equal(probeUrlOf('/local/model.gguf'), undefined);
		for (const entry of modelCatalog) {
			assert.match(probeUrlOf(entry.model.uri) ?? '', /^https:\/\/huggingface\.co\/api\/models\/[^/]+\/[^/]+$/, entry.id);
		}
	});
});
