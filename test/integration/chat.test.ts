import assert from 'node:assert/strict';
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol/node';
import { BoraErrorCodes, type RuntimeErrorInfo } from '../../src/shared/protocol';
import { canonicalFim, chatAnswer, ensureFixtureModel, reasoningChat } from '../models/fixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const uri = 'file:///workspace/add.js';

describe('chat through a spawned runtime and a real LSP connection', function () {
	this.timeout(120_000);
	let server: RuntimeServerProcess;

	before(async () => {
		const [fim, chat] = await Promise.all([ensureFixtureModel('mistral4Fim'), ensureFixtureModel('mistral4Chat')]);
		server = await RuntimeServerProcess.start({ args: ['--model', fim, '--chatModelPath', chat, '--threads', '2'] });
		await server.waitForState('ready');
	});
	after(() => server.stop());

	it('streams thought chunks, then answer chunks, then returns the result', async () => {
		const result = await server.chat({ chatId: 'c1', history: [], message: 'Show me a constant', effort: 'high' });
		assert.equal(result.thought, reasoningChat.thought);
		assert.equal(result.answer, reasoningChat.answer);
		assert.equal(result.thoughtTokens, reasoningChat.thoughtTokens);
		assert.equal(result.budgetExhausted, false);
		assert.equal(typeof result.thoughtBudget, 'number');
		// Notifications and the response share one ordered stream: every chunk is here already.
		const chunks = server.chatChunksOf('c1');
		const firstAnswer = chunks.findIndex(chunk => chunk.kind === 'answer');
		assert.ok(firstAnswer > 0);
		assert.ok(chunks.slice(firstAnswer).every(chunk => chunk.kind === 'answer'));
		assert.equal(chunks.filter(chunk => chunk.kind === 'thought').map(chunk => chunk.text).join(''), reasoningChat.thought);
		assert.equal(chunks.filter(chunk => chunk.kind === 'answer').map(chunk => chunk.text).join(''), reasoningChat.answer);
		assert.ok(chunks.every(chunk => chunk.thoughtBudget === result.thoughtBudget));
	});

	it('$/cancelRequest stops the answer; the server keeps answering completions and chats', async () => {
		const source = new CancellationTokenSource();
		const answering = server.chat({ chatId: 'c2', history: [], message: 'Long', effort: 'high' }, source.token);
		await server.waitForChatChunks('c2', 2);
		source.cancel();
		await assert.rejects(answering, (error: unknown) => error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled);
		const received = server.chatChunksOf('c2').length;
		const full = reasoningChat.thoughtTokens + 10;
		assert.ok(received < full, `${received} chunks: generation stopped early`);

		const position = await server.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
		const completion = await server.complete(uri, position);
		assert.equal(completion?.items[0]?.insertText, canonicalFim.middle);
		assert.equal(server.chatChunksOf('c2').length, received, 'no chunk after the cancellation');

		const again = await server.chat({ chatId: 'c3', history: [{ user: 'Long', assistant: 'Cut.' }], message: 'Again', effort: 'low' });
		assert.equal(again.answer, reasoningChat.answer);
	});

	it('answers chats with the completion model when no chat model is set, and rejects bad effort values', async () => {
		const plain = await RuntimeServerProcess.start({ args: ['--model', await ensureFixtureModel('mistral4Fim'), '--threads', '2'] });
		try {
			await plain.waitForState('ready');
			const result = await plain.chat({ chatId: 'p1', history: [], message: 'Hello', effort: 'off' });
			assert.equal(result.thought, '');
			assert.equal(result.answer, chatAnswer);
			await assert.rejects(plain.chat({ chatId: 'p2', history: [], message: 'Hello', effort: 'extreme' as 'high' }), (error: unknown) => error instanceof ResponseError && /effort/.test(error.message));
		} finally {
			await plain.stop();
		}
	});

	it('without any model, chat fails with error 41001 and a message that says what to do', async () => {
		const empty = await RuntimeServerProcess.start();
		try {
			await empty.waitForState('idle');
			await assert.rejects(empty.chat({ chatId: 'e1', history: [], message: 'Hello', effort: 'medium' }), (error: unknown) => {
				const data = (error as ResponseError<RuntimeErrorInfo>).data;
				return error instanceof ResponseError && error.code === BoraErrorCodes.unavailable && data?.code === 'noModel' && data.action.length > 0;
			});
		} finally {
			await empty.stop();
		}
	});
});
