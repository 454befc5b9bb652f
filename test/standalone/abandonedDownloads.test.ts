import assert from 'node:assert/strict';
import type { ModelDownloader } from 'node-llama-cpp';
import { AbandonedDownloads } from '../../src/runtime/catalog/AbandonedDownloads';

/** A downloader as node-llama-cpp builds it, down to the internal field that holds its resolved address. */
const downloaderOf = (url: string) => ({ _modelUrl: url }) as unknown as ModelDownloader;

describe('abandoned downloads: the retry loop of a download Bora gave up on ends at its next fetch', () => {
	const calls: string[] = [];
	const host = { fetch: (async (input: string | URL | Request) => { calls.push(String(input)); return new Response('ok'); }) as typeof fetch };
	const guard = new AbandonedDownloads(host);

	it('fails fetches in the abandoned folder with an AbortError, and no other', async () => {
		guard.abandon(downloaderOf('https://huggingface.co/org/repo/resolve/main/model-Q4_K_M.gguf'));
		// ipull adds a query to some range requests; split parts live beside the first.
		for (const url of ['https://huggingface.co/org/repo/resolve/main/model-Q4_K_M.gguf?_ignore=x', 'https://huggingface.co/org/repo/resolve/main/model-00002-of-00002.gguf']) {
			await assert.rejects(host.fetch(url), (error: unknown) => error instanceof DOMException && error.name === 'AbortError');
		}
		assert.equal((await host.fetch('https://huggingface.co/org/other/resolve/main/model.gguf')).ok, true);
		assert.equal((await host.fetch(new URL('https://example.org/model.gguf'))).ok, true);
		assert.deepEqual(calls, ['https://huggingface.co/org/other/resolve/main/model.gguf', 'https://example.org/model.gguf']);
	});

	it('a request the user starts for the same files lifts their marks, and only theirs', async () => {
		guard.abandon(downloaderOf('http://127.0.0.1:8080/models/a.gguf'));
		guard.liftFor('http://127.0.0.1:9090/models/a.gguf');
		assert.equal(guard.isAbandoned('http://127.0.0.1:8080/models/a.gguf'), true, 'another server keeps its mark');
		guard.liftFor('http://127.0.0.1:8080/models/b.gguf');
		assert.equal(guard.isAbandoned('http://127.0.0.1:8080/models/a.gguf'), false);
		guard.liftFor('hf:org/repo:Q4_K_M');
		assert.equal(guard.isAbandoned('https://huggingface.co/org/repo/resolve/main/model-Q4_K_M.gguf'), false);
		assert.equal((await host.fetch('https://huggingface.co/org/repo/resolve/main/model-Q4_K_M.gguf')).ok, true);
	});

	it('marks nothing when node-llama-cpp did not keep the address', () => {
		guard.abandon({} as ModelDownloader);
		assert.equal(guard.isAbandoned('https://huggingface.co/org/repo/resolve/main/model-Q4_K_M.gguf'), false);
	});
});
