import assert from 'node:assert/strict';
import {
	buildRemoteFimPrompt, detectRemoteReasoning, httpStatusError, parseRemoteHeaders, parseRemoteUrl, planRemoteReasoning, readServerSentEvents, resolveModel,
	RuntimeError, textFimPlan, type RemoteServerFacts,
} from '../../src/runtime';
import { rejectsWithRuntimeError } from '../support/rejectsWith';

async function* chunksOf(...parts: string[]): AsyncGenerator<Uint8Array> {
	for (const part of parts) {
		yield new TextEncoder().encode(part);
	}
}

async function events(...parts: string[]): Promise<string[]> {
	const all: string[] = [];
	for await (const data of readServerSentEvents(chunksOf(...parts))) {
		all.push(data);
	}
	return all;
}

describe('remote engine: pure parts', () => {
	describe('parseRemoteUrl', () => {
		it('takes the base URL with or without /v1 and a trailing slash', () => {
			for (const text of ['http://gpu-box:8000', 'http://gpu-box:8000/', 'http://gpu-box:8000/v1', ' http://gpu-box:8000/v1/ ']) {
				const url = parseRemoteUrl(text);
				assert.equal(url.root, 'http://gpu-box:8000', text);
				assert.equal(url.api, 'http://gpu-box:8000/v1', text);
				assert.equal(url.host, 'gpu-box:8000');
			}
			assert.equal(parseRemoteUrl('https://gateway.example/team/llm/v1').api, 'https://gateway.example/team/llm/v1');
		});

		it('marks plain http to another machine as insecure, not loopback or https', () => {
			assert.equal(parseRemoteUrl('http://gpu-box:8000').insecure, true);
			assert.equal(parseRemoteUrl('http://127.0.0.1:8080').insecure, false);
			assert.equal(parseRemoteUrl('http://localhost:8080').insecure, false);
			assert.equal(parseRemoteUrl('https://gpu-box').insecure, false);
		});

		it('refuses an empty URL, another scheme and credentials in the URL, saying what to set', () => {
			assert.throws(() => parseRemoteUrl(''), rejectsWithRuntimeError('remoteNotConfigured', /bora\.remote\.url is empty/));
			assert.throws(() => parseRemoteUrl('ftp://box'), rejectsWithRuntimeError('remoteNotConfigured', /http:\/\/ or https:\/\//));
			assert.throws(() => parseRemoteUrl('not a url'), rejectsWithRuntimeError('remoteNotConfigured', /not a URL \("not a url"\)/));
			assert.throws(() => parseRemoteUrl('me:secret@ box'), (error: unknown) => error instanceof RuntimeError && !error.message.includes('secret'));
			assert.throws(() => parseRemoteUrl('https://me:secret@box'), (error: unknown) => {
				assert.ok(error instanceof RuntimeError);
				assert.equal(error.code, 'remoteNotConfigured');
				assert.ok(!error.message.includes('secret'), 'the password is not repeated');
				return true;
			});
		});
	});

	it('parseRemoteHeaders reads "Name: value" entries and refuses malformed ones and those Bora sets', () => {
		assert.deepEqual(parseRemoteHeaders(['X-Team: llm', 'CF-Access-Client-Id:  abc: def ']), { 'X-Team': 'llm', 'CF-Access-Client-Id': 'abc: def' });
		assert.throws(() => parseRemoteHeaders(['no colon here']), rejectsWithRuntimeError('remoteNotConfigured', /Name: value/));
		assert.throws(() => parseRemoteHeaders(['Content-Type: text/plain']), rejectsWithRuntimeError('remoteNotConfigured', /Bora sets it itself/));
	});

	it('readServerSentEvents joins events split anywhere, skips comments, and ends with the body', async () => {
		assert.deepEqual(await events('data: {"a":', '1}\n\n: keep-alive\n\nda', 'ta: [DONE]\r\n\r\n'), ['{"a":1}', '[DONE]']);
		assert.deepEqual(await events('event: x\ndata: one\ndata: two\n\n', 'data: last'), ['one\ntwo', 'last']);
	});

	describe('HTTP answers as typed errors', () => {
		const context = { host: 'gpu-box:8000', path: '/v1/completions', model: 'codestral', modelSetting: 'bora.remote.completionModel', hasApiKey: true } as const;

		it('401/403: the key, and the command that sets it', () => {
			const error = httpStatusError(401, '{"error":{"message":"Invalid API Key","code":401}}', null, context);
			assert.equal(error.code, 'remoteUnauthorized');
			assert.match(error.message, /gpu-box:8000 refused the request \(401\): the API key is wrong/);
			assert.match(error.action, /Set Remote API Key/);
			assert.match(httpStatusError(403, '', null, { ...context, hasApiKey: false }).message, /none is set/);
		});

		it('404 naming the model: the setting to change; 404 otherwise: the URL', () => {
			const model = httpStatusError(404, '{"object":"error","message":"The model `codestral` does not exist.","code":404}', null, context);
			assert.equal(model.code, 'remoteModelNotFound');
			assert.match(model.message, /has no model "codestral" \(404\): The model `codestral` does not exist\./);
			assert.match(model.action, /bora\.remote\.completionModel/);
			const path = httpStatusError(404, 'Not Found', null, { ...context, path: '/tokenize' });
			assert.equal(path.code, 'remoteServerError');
			assert.match(path.action, /bora\.remote\.url/);
		});

		it('429 with Retry-After in seconds or as a date; 5xx with the server\'s message', () => {
			const limited = httpStatusError(429, '', '7', context);
			assert.equal(limited.code, 'remoteRateLimited');
			assert.match(limited.message, /asks to wait 7 s/);
			assert.match(httpStatusError(429, '', new Date(Date.now() + 30_000).toUTCString(), context).message, /asks to wait (29|30|31) s/);
			const failed = httpStatusError(503, '{"error":{"message":"Loading model"}}', null, context);
			assert.equal(failed.code, 'remoteServerError');
			assert.match(failed.message, /answered 503 for \/v1\/completions: Loading model\./);
		});
	});

	it('resolveModel: the configured name must be listed (except on single-model llama-server), empty means the first', () => {
		const vllm: RemoteServerFacts = { kind: 'vllm', models: [{ id: 'mistralai/Mistral-Small-4', aliases: [], contextLength: 262_144 }, { id: 'Qwen/Qwen2.5-Coder-1.5B', aliases: [] }] };
		assert.equal(resolveModel(vllm, '', 'bora.remote.completionModel').id, 'mistralai/Mistral-Small-4');
		assert.equal(resolveModel(vllm, 'Qwen/Qwen2.5-Coder-1.5B', 'bora.remote.completionModel').id, 'Qwen/Qwen2.5-Coder-1.5B');
		assert.throws(() => resolveModel(vllm, 'codestral', 'bora.remote.completionModel'), rejectsWithRuntimeError('remoteModelNotFound', /no model "codestral"; it lists "mistralai\/Mistral-Small-4", "Qwen\/Qwen2\.5-Coder-1\.5B"/));
		const llama: RemoteServerFacts = { kind: 'llama-server', models: [{ id: 'model.gguf', aliases: [] }] };
		assert.equal(resolveModel(llama, 'whatever', 'bora.remote.chatModel').id, 'whatever');
	});

	describe('reasoning', () => {
		const mistral = detectRemoteReasoning('{% if reasoning_effort %}[MODEL_SETTINGS]{% endif %}[THINK]', 'any');
		it('detects the family from the template llama-server shows, else from the model name', () => {
			assert.deepEqual(mistral, { supported: true, family: 'mistral4', canTurnOff: true });
			assert.deepEqual(detectRemoteReasoning(undefined, 'mistralai/Mistral-Small-4-119B-2603'), { supported: true, family: 'mistral4', canTurnOff: true });
			assert.deepEqual(detectRemoteReasoning(undefined, 'Qwen/Qwen3-32B'), { supported: true, family: 'qwen3', canTurnOff: true });
			assert.equal(detectRemoteReasoning(undefined, 'Qwen/Qwen2.5-Coder-7B').supported, false);
		});

		it('maps efforts per family as locally, with the budget as llama-server\'s reasoning_budget_tokens', () => {
			assert.deepEqual(planRemoteReasoning({ support: mistral, effort: 'high', serverKind: 'llama-server', contextLength: 4096 }), { body: { reasoning_effort: 'high', reasoning_budget_tokens: 2048 }, thoughtBudget: 2048 });
			assert.deepEqual(planRemoteReasoning({ support: mistral, effort: 'off', serverKind: 'llama-server', contextLength: 4096 }), { body: { reasoning_effort: 'none', reasoning_budget_tokens: 0 }, thoughtBudget: 0 });
			const qwen = planRemoteReasoning({ support: { supported: true, family: 'qwen3', canTurnOff: true }, effort: 'off', serverKind: 'llama-server', contextLength: 4096 });
			assert.deepEqual(qwen.body, { chat_template_kwargs: { enable_thinking: false }, reasoning_budget_tokens: 0 });
		});

		it('says the budget is the server\'s where Bora cannot set it (vLLM)', () => {
			const high = planRemoteReasoning({ support: mistral, effort: 'medium', serverKind: 'vllm', contextLength: 262_144 });
			assert.deepEqual(high.body, { reasoning_effort: 'high' });
			assert.equal(high.thoughtBudget, undefined);
			assert.match(high.notice ?? '', /^The thinking budget is the server's: vllm has no per-request limit Bora can set\.$/);
			assert.equal(planRemoteReasoning({ support: mistral, effort: 'off', serverKind: 'vllm', contextLength: 4096 }).notice, undefined);
		});
	});

	describe('text FIM prompts (a server without /tokenize, bora.remote.fimFormat set)', () => {
		const input = { prefix: 'function add(a, b) {\n\treturn', suffix: '\n}\n', fileName: 'src/add.js', extraContext: [], maxTokens: 16 } as const;

		it('Qwen: prefix up to the cursor line, the suffix, then the cursor line after the middle marker, as locally', async () => {
			const { prompt } = await buildRemoteFimPrompt(textFimPlan('qwen'), input);
			assert.equal(prompt, '<|fim_prefix|>function add(a, b) {\n<|fim_suffix|>\n}\n<|fim_middle|>\treturn');
		});

		it('Qwen with extra context: the repo-level head first, oldest chunk first, then the file', async () => {
			const { prompt, head } = await buildRemoteFimPrompt(textFimPlan('qwen'), { ...input, repoName: 'shop', extraContext: [{ name: 'src/old.js', text: 'old()' }, { name: 'src/new.js', text: 'fresh()' }] });
			assert.equal(prompt, '<|repo_name|>shop\n<|file_sep|>src/old.js\nold()<|file_sep|>src/new.js\nfresh()<|file_sep|>src/add.js\n<|fim_prefix|>function add(a, b) {\n<|fim_suffix|>\n}\n<|fim_middle|>\treturn');
			assert.equal(head.chunks, 2);
		});

		it('Mistral: suffix first, no middle marker; the server adds BOS', async () => {
			const { prompt } = await buildRemoteFimPrompt(textFimPlan('mistral'), input);
			assert.equal(prompt, '[SUFFIX]\n}\n[PREFIX]function add(a, b) {\n\treturn');
			assert.deepEqual(textFimPlan('qwen').stops, ['<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|endoftext|>', '<|im_end|>']);
		});
	});
});
