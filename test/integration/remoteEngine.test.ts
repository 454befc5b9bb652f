import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol/node';
import {
	ExplainImageRequest, RemoteApiKeyNotification, RemoteEngineStatusRequest, TestRemoteEngineRequest, VisionStatusRequest,
	type RuntimeErrorInfo, type RuntimeState,
} from '../../src/shared/protocol';
import { ensureBenchModel } from '../models/benchModels';
import { canonicalFim, ensureFixtureModel, reasoningChat, type FixtureName } from '../models/fixtures';
import { colours, mostlyColouredPng } from '../models/vision/pngWriter';
import { ensureVisionFixture, visionAnswers } from '../models/vision/visionFixtures';
import { ensureLlamaTools, type LlamaTools } from '../support/llamaTools';
import { freePort, LlamaServerProcess } from '../support/LlamaServerProcess';
import { rejectsWithResponseError } from '../support/rejectsWith';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const uri = 'file:///workspace/add.js';

/** Bora's runtime in remote mode against `url`: nothing loads locally. */
function startRemoteBora(url: string): Promise<RuntimeServerProcess> {
	return RuntimeServerProcess.start({ args: ['--engine', 'remote', '--remoteUrl', url, '--threads', '1'] });
}

function isRemoteReady(state: Extract<RuntimeState, { kind: 'ready' }>): boolean {
	return state.remote !== undefined && state.notice === undefined;
}

function errorOf(state: RuntimeState): RuntimeErrorInfo | undefined {
	return state.kind === 'error' ? state.error : state.kind === 'ready' && state.notice ? { code: 'internal', message: state.notice, action: '' } : undefined;
}

describe('remote engine: Bora\'s LSP server in remote mode against a real llama-server', function () {
	this.timeout(180_000);
	let tools: LlamaTools;

	before(function () {
		this.timeout(900_000);
		tools = ensureLlamaTools();
	});

	for (const [fixture, format] of [['qwenFim', 'qwen'], ['mistral4Fim', 'mistral']] as const satisfies ReadonlyArray<readonly [FixtureName, string]>) {
		it(`completes with ${fixture}: the FIM format (${format}) found through /tokenize, the prompt sent as token ids`, async () => {
			const llama = await LlamaServerProcess.start({ binary: tools.server, modelPath: await ensureFixtureModel(fixture) });
			const bora = await startRemoteBora(`${llama.url}/v1/`);
			try {
				const ready = await bora.waitForState('ready', isRemoteReady);
				assert.equal(ready.remote?.serverKind, 'llama-server');
				assert.equal(ready.model.fim.supported && ready.model.fim.format, format);
				// Nothing was loaded in Bora's process: the model is the server's.
				assert.equal(ready.remote?.url, `${llama.url}/v1`);

				const position = await bora.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
				const completion = await bora.complete(uri, position);
				assert.equal(completion?.items[0]?.insertText, canonicalFim.middle);
				const stats = bora.completionStats.at(-1)!;
				assert.equal(stats.mode, 'fim');
				assert.ok(stats.promptTokens > 0 && stats.generatedTokens > 0, JSON.stringify(stats));

				const status = await bora.connection.sendRequest(RemoteEngineStatusRequest.type);
				assert.equal(status?.serverKind, 'llama-server');
				assert.equal(status?.completionModel?.fimFormat, format);
				assert.equal(status?.completionModel?.contextLength, 4096);
				assert.equal(status?.hasApiKey, false);
				assert.equal(status?.lastError, undefined);
			} finally {
				await bora.stop();
				await llama.stop();
			}
		});
	}

	it('completes in the chat-model mode when the model has no FIM tokens (mistral4ChatNoFim): only the code of the answer', async () => {
		const llama = await LlamaServerProcess.start({ binary: tools.server, modelPath: await ensureFixtureModel('mistral4ChatNoFim') });
		const bora = await startRemoteBora(llama.url);
		try {
			const ready = await bora.waitForState('ready', isRemoteReady);
			assert.equal(ready.model.fim.supported, false);
			assert.match(!ready.model.fim.supported ? ready.model.fim.reason : '', /has none of the known fill-in-the-middle tokens, and bora\.remote\.fimFormat is "auto"/);
			const position = await bora.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
			const completion = await bora.complete(uri, position);
			assert.equal(completion?.items[0]?.insertText, 'const x = 1;');
			assert.equal(bora.completionStats.at(-1)!.mode, 'chat');
			assert.equal((await bora.connection.sendRequest(RemoteEngineStatusRequest.type))?.completionModel?.fimFormat, 'chat');
		} finally {
			await bora.stop();
			await llama.stop();
		}
	});

	describe('chat and the API key (mistral4Chat behind llama-server --api-key)', () => {
		const key = 'test-key-7f3a9c';
		let llama: LlamaServerProcess;
		let bora: RuntimeServerProcess;

		before(async () => {
			llama = await LlamaServerProcess.start({ binary: tools.server, modelPath: await ensureFixtureModel('mistral4Chat'), args: ['--api-key', key] });
			bora = await startRemoteBora(llama.url);
		});
		after(async () => {
			await bora?.stop();
			await llama?.stop();
		});

		it('without a key, and with a wrong one, says the server refused it; the right key makes it ready', async () => {
			const refused = await bora.waitForState('error');
			assert.equal(refused.error.code, 'remoteUnauthorized', refused.error.message);
			assert.match(refused.error.message, /none is set/);
			assert.match(refused.error.action, /Set Remote API Key/);

			await bora.connection.sendNotification(RemoteApiKeyNotification.type, { apiKey: 'wrong-key-1234' });
			await assert.rejects(bora.chat({ chatId: 'k1', history: [], message: 'hi', effort: 'off' }), rejectsWithResponseError('remoteUnauthorized', /API key is wrong/));

			await bora.connection.sendNotification(RemoteApiKeyNotification.type, { apiKey: key });
			await bora.waitForState('ready', isRemoteReady);
			const status = await bora.connection.sendRequest(RemoteEngineStatusRequest.type);
			assert.equal(status?.hasApiKey, true);
			assert.ok(!JSON.stringify(status).includes(key));
		});

		it('thinks at High (delta.reasoning_content streamed as thought chunks) and not at Off (reasoning_budget_tokens 0)', async () => {
			const high = await bora.chat({ chatId: 'c-high', history: [], message: 'Show me a constant', effort: 'high' });
			assert.equal(high.thought, reasoningChat.thought);
			assert.equal(high.answer, reasoningChat.answer);
			assert.equal(high.thoughtTokens, reasoningChat.thoughtTokens);
			assert.equal(high.budgetExhausted, false);
			assert.equal(bora.chatChunksOf('c-high').filter(chunk => chunk.kind === 'thought').map(chunk => chunk.text).join(''), reasoningChat.thought);
			assert.equal(bora.chatChunksOf('c-high').filter(chunk => chunk.kind === 'answer').map(chunk => chunk.text).join(''), reasoningChat.answer);

			const off = await bora.chat({ chatId: 'c-off', history: [{ user: 'Show me a constant', assistant: high.answer, thought: high.thought }], message: 'Again', effort: 'off' });
			assert.equal(off.thought, '');
			assert.equal(off.thoughtTokens, 0);
			assert.equal(off.answer, reasoningChat.answer);
			assert.ok(bora.chatChunksOf('c-off').every(chunk => chunk.kind === 'answer'));

			// The budgets of a 4,096-token context, as locally: High 2,048, Medium 1,024, Low 256, sent as reasoning_budget_tokens.
			const low = await bora.chat({ chatId: 'c-low', history: [], message: 'Briefly', effort: 'low' });
			assert.equal(low.thoughtBudget, 256);
			assert.equal(low.thought, reasoningChat.thought);
		});

		it('Test Remote Engine reports each role on one line: server, completion and chat work; images need --mmproj', async () => {
			const report = await bora.connection.sendRequest(TestRemoteEngineRequest.type);
			const byRole = Object.fromEntries(report.checks.map(check => [check.role, check]));
			assert.deepEqual(report.checks.map(check => check.role), ['server', 'completion', 'chat', 'images']);
			assert.ok(byRole.server!.ok && byRole.completion!.ok && byRole.chat!.ok, JSON.stringify(report.checks));
			assert.match(byRole.server!.detail, /^llama-server, 1 model; asked in \d+ ms\.$/);
			assert.match(byRole.chat!.detail, /answered .* in \d+ ms \(reasoning: mistral4\)\.$/);
			assert.equal(byRole.images!.ok, false);
			assert.match(byRole.images!.detail, /does not accept images \(llama-server runs without --mmproj\)/);
			assert.ok(report.checks.every(check => !check.detail.includes('\n')));
			assert.equal(report.status.chatModel?.acceptsImages, false);
			const vision = await bora.connection.sendRequest(VisionStatusRequest.type);
			assert.equal(vision.available, false);
		});

		it('in the shared runtime each window sends its own key: one with the key is served, one without is refused', async () => {
			const runtimeDir = await mkdtemp(join(tmpdir(), 'bora-remote-shared-'));
			const env = { ...process.env, BORA_RUNTIME_DIR: runtimeDir };
			const windows: RuntimeServerProcess[] = [];
			try {
				for (let i = 0; i < 2; i++) {
					windows.push(await RuntimeServerProcess.start({ transport: 'socket', env, args: ['--keepAliveMinutes', '0'], initializationOptions: { engine: 'remote', remoteUrl: llama.url, threads: 1 } }));
				}
				const [withKey, withoutKey] = windows as [RuntimeServerProcess, RuntimeServerProcess];
				assert.equal((await withKey.sharedStatus()).windows.length, 2, 'one process serves both windows');
				await withKey.connection.sendNotification(RemoteApiKeyNotification.type, { apiKey: key });
				await withKey.waitForState('ready', isRemoteReady);
				assert.equal((await withoutKey.waitForState('error')).error.code, 'remoteUnauthorized');
				const answer = await withKey.chat({ chatId: 's1', history: [], message: 'hi', effort: 'off' });
				assert.equal(answer.answer, reasoningChat.answer);
				await assert.rejects(withoutKey.chat({ chatId: 's2', history: [], message: 'hi', effort: 'off' }), rejectsWithResponseError('remoteUnauthorized'));
				assert.equal((await withoutKey.connection.sendRequest(RemoteEngineStatusRequest.type))?.hasApiKey, false);
			} finally {
				await Promise.all(windows.map(window => window.stop().catch(() => undefined)));
				await rm(runtimeDir, { recursive: true, force: true });
			}
		});

		it('the key never appears in the runtime\'s log', () => {
			assert.ok(bora.logs.length > 0);
			assert.ok(bora.logs.every(line => !line.includes(key) && !line.includes('wrong-key-1234')), bora.logs.join('\n'));
		});
	});

	it('answers an image question with image_url parts on llama-server --mmproj (visionMistral4), by colour', async () => {
		const vision = await ensureVisionFixture();
		const llama = await LlamaServerProcess.start({ binary: tools.server, modelPath: vision.modelPath, args: ['--mmproj', vision.mmprojPath] });
		const bora = await startRemoteBora(llama.url);
		try {
			await bora.waitForState('ready', isRemoteReady);
			const status = await bora.connection.sendRequest(VisionStatusRequest.type);
			assert.equal(status.available, true, JSON.stringify(status));
			for (const colour of ['red', 'blue'] as const) {
				const chatId = `img-${colour}`;
				const result = await bora.connection.sendRequest(ExplainImageRequest.type, { chatId, base64: mostlyColouredPng(colours[colour]).toString('base64'), mime: 'image/png', question: 'What colour is this?' });
				// llama-server trims the answer's leading space (the local engine keeps it).
				assert.equal(result.answer, visionAnswers[colour].trimStart());
				assert.equal(bora.chatChunksOf(chatId).map(chunk => chunk.text).join(''), result.answer);
				assert.deepEqual([result.imageWidth, result.imageHeight], [64, 64]);
			}
			// The same checks as a local image: a text file is refused before anything is sent.
			await assert.rejects(bora.connection.sendRequest(ExplainImageRequest.type, { chatId: 'bad', base64: Buffer.from('not a picture at all\n').toString('base64'), mime: 'image/png' }), rejectsWithResponseError('badImage'));
		} finally {
			await bora.stop();
			await llama.stop();
		}
	});

	describe('a long answer (benchDense writes until its context is full)', () => {
		let llama: LlamaServerProcess;
		let bora: RuntimeServerProcess;

		before(async () => {
			llama = await LlamaServerProcess.start({ binary: tools.server, modelPath: await ensureBenchModel('benchDense') });
			bora = await startRemoteBora(llama.url);
			await bora.waitForState('ready', isRemoteReady);
		});
		after(async () => {
			await bora?.stop();
			await llama?.stop();
		});

		it('Stop cancels the HTTP request: the server stops generating and answers the next chat', async () => {
			const source = new CancellationTokenSource();
			const answering = bora.chat({ chatId: 'long-1', history: [], message: 'Write a lot', effort: 'off' }, source.token);
			await bora.waitForChatChunks('long-1', 5);
			source.cancel();
			await assert.rejects(answering, (error: unknown) => error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled);
			await waitUntilIdle(llama);
			const received = bora.chatChunksOf('long-1').length;
			await bora.roundTrip();
			assert.equal(bora.chatChunksOf('long-1').length, received, 'no chunk after the cancellation');
		});

		it('llama-server killed mid-answer: the chunks so far stay, the error says the answer was cut, and the restarted server answers the next chat', async () => {
			const answering = bora.chat({ chatId: 'long-2', history: [], message: 'Write a lot', effort: 'off' });
			await bora.waitForChatChunks('long-2', 5);
			await llama.kill();
			await assert.rejects(answering, rejectsWithResponseError('remoteServerError', /stopped answering mid-answer.*The answer so far is kept\./));
			assert.ok(bora.chatChunksOf('long-2').length >= 5);

			await assert.rejects(bora.chat({ chatId: 'long-3', history: [], message: 'Hello?', effort: 'off' }), rejectsWithResponseError('remoteUnreachable', /connection refused/));
			const status = await bora.connection.sendRequest(RemoteEngineStatusRequest.type);
			assert.equal(status?.lastError?.code, 'remoteUnreachable');

			llama = await LlamaServerProcess.start({ binary: tools.server, modelPath: await ensureBenchModel('benchDense'), port: llama.port });
			const source = new CancellationTokenSource();
			const again = bora.chat({ chatId: 'long-4', history: [], message: 'Hello again', effort: 'off' }, source.token);
			await bora.waitForChatChunks('long-4', 3);
			source.cancel();
			await assert.rejects(again, (error: unknown) => error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled);
			assert.equal((await bora.connection.sendRequest(RemoteEngineStatusRequest.type))?.lastError, undefined);
		});
	});

	describe('servers that do not answer', () => {
		it('a port with nothing listening: the state, a completion and the test all say the connection was refused', async () => {
			const port = await freePort();
			const bora = await startRemoteBora(`http://127.0.0.1:${port}/v1`);
			try {
				const state = await bora.waitForState('error');
				assert.equal(state.error.code, 'remoteUnreachable');
				assert.match(state.error.message, new RegExp(`127\\.0\\.0\\.1:${port} cannot be reached: connection refused`));
				assert.match(state.error.action, /Start the server, or check the port/);
				const position = await bora.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
				await assert.rejects(bora.complete(uri, position), rejectsWithResponseError('remoteUnreachable', /connection refused/));
				const report = await bora.connection.sendRequest(TestRemoteEngineRequest.type);
				assert.equal(report.checks[0]!.ok, false);
				assert.match(report.checks[0]!.detail, /connection refused/);
				assert.ok(report.checks.slice(1).every(check => !check.ok && check.detail === 'Not tried: the server check failed.'));
			} finally {
				await bora.stop();
			}
		});

		it('a server that accepts and never answers: a timeout, not a hang, and nothing piles up', async () => {
			const sockets = new Set<Socket>();
			const stalled: Server = createServer(socket => {
				sockets.add(socket);
				// Reads what comes (and so sees the client close), answers nothing.
				socket.resume();
				socket.on('close', () => sockets.delete(socket));
			});
			stalled.listen(0, '127.0.0.1');
			await once(stalled, 'listening');
			const address = stalled.address();
			assert.ok(address !== null && typeof address === 'object');
			const bora = await startRemoteBora(`http://127.0.0.1:${address.port}`);
			try {
				const state = await bora.waitForState('error');
				assert.equal(state.error.code, 'remoteTimeout');
				assert.match(state.error.message, /did not answer \/v1\/models within 5 s/);
				const position = await bora.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
				await assert.rejects(bora.complete(uri, position), rejectsWithResponseError('remoteTimeout', /did not answer/));
				// Every request that timed out closed its connection.
				await waitFor(() => sockets.size === 0);
				assert.equal(errorOf(bora.states.at(-1)!)?.code, 'remoteTimeout');
			} finally {
				await bora.stop();
				for (const socket of sockets) {
					socket.destroy();
				}
				stalled.close();
			}
		});
	});
});

/** Waits until the server's one slot is idle (it stopped generating). */
async function waitUntilIdle(llama: LlamaServerProcess): Promise<void> {
	await waitFor(async () => {
		const slots = await (await fetch(`${llama.url}/slots`)).json() as Array<{ is_processing?: boolean }>;
		return slots.every(slot => slot.is_processing === false);
	});
}

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
	while (!(await condition())) {
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}
