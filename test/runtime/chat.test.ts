import assert from 'node:assert/strict';
import { defaultChatSystemPrompt, Runtime, RuntimeError, type ChatEngineChunk, type ChatTurn } from '../../src/runtime';
import { canonicalFim, chatAnswer, ensureFixtureModel, reasoningChat } from '../models/fixtures';

const system = `[SYSTEM_PROMPT]${defaultChatSystemPrompt}[/SYSTEM_PROMPT]`;
const settings = (reasoningEffort: 'none' | 'high') => `[MODEL_SETTINGS]{"reasoning_effort": "${reasoningEffort}"}[/MODEL_SETTINGS]`;
const earlierTurn: ChatTurn = { user: 'What is x?', thought: 'They ask about x.', assistant: 'x is 1.' };

describe('runtime chat (in process, real model)', function () {
	this.timeout(120_000);
	let chatModel: string;
	let runtime: Runtime;

	before(async () => {
		chatModel = await ensureFixtureModel('mistral4Chat');
		runtime = new Runtime({ thoughtBudgets: { low: 8 } });
		await runtime.configure({ modelPath: chatModel, completionEnabled: true, threads: 2, gpu: 'off', chatModelPath: '' });
		assert.equal(runtime.state.kind, 'ready');
	});
	after(() => runtime.dispose());

	it('renders the Mistral Small 4 layout byte for byte: effort off → "none", high → "high"', async () => {
		assert.equal(await runtime.renderChatPrompt({ history: [], message: 'Hi', effort: 'off' }), `<s>${system}${settings('none')}[INST]Hi[/INST]`);
		assert.equal(await runtime.renderChatPrompt({ history: [], message: 'Hi', effort: 'high' }), `<s>${system}${settings('high')}[INST]Hi[/INST]`);
		assert.equal(await runtime.renderChatPrompt({ history: [], message: 'Hi', effort: 'low' }), `<s>${system}${settings('high')}[INST]Hi[/INST]`);
	});

	it('streams the thought and the answer separately, equal to the model\'s known text', async () => {
		const chunks: ChatEngineChunk[] = [];
		const result = await runtime.chat({ history: [], message: 'Show me a constant', effort: 'high', onChunk: chunk => chunks.push(chunk) });
		assert.equal(result.thought, reasoningChat.thought);
		assert.equal(result.answer, reasoningChat.answer);
		assert.equal(result.thoughtTokens, reasoningChat.thoughtTokens);
		assert.equal(result.budgetExhausted, false);
		const firstAnswer = chunks.findIndex(chunk => chunk.kind === 'answer');
		assert.ok(firstAnswer > 0, 'thought chunks come first');
		assert.ok(chunks.slice(firstAnswer).every(chunk => chunk.kind === 'answer'), 'no thought after the answer started');
		assert.equal(chunks.filter(chunk => chunk.kind === 'thought').map(chunk => chunk.text).join(''), reasoningChat.thought);
		assert.equal(chunks.filter(chunk => chunk.kind === 'answer').map(chunk => chunk.text).join(''), reasoningChat.answer);
		assert.equal(chunks.at(-1)!.thoughtTokens, reasoningChat.thoughtTokens);
	});

	it('a small thought budget closes the thinking and the answer still follows', async () => {
		const chunks: ChatEngineChunk[] = [];
		const result = await runtime.chat({ history: [], message: 'Quick', effort: 'low', onChunk: chunk => chunks.push(chunk) });
		assert.equal(result.thoughtBudget, 8);
		assert.equal(result.thoughtTokens, 8);
		assert.equal(result.budgetExhausted, true);
		assert.ok(reasoningChat.thought.startsWith(result.thought) && result.thought.length < reasoningChat.thought.length, result.thought);
		assert.equal(result.answer, reasoningChat.answer);
		assert.ok(chunks.every(chunk => chunk.thoughtBudget === 8));
		assert.ok(chunks.filter(chunk => chunk.kind === 'thought').every(chunk => chunk.thoughtTokens <= 8));
	});

	it('effort off closes any thought at once, and the model answers', async () => {
		const chunks: ChatEngineChunk[] = [];
		const result = await runtime.chat({ history: [], message: 'No thinking', effort: 'off', onChunk: chunk => chunks.push(chunk) });
		assert.equal(result.thought, '');
		assert.equal(result.thoughtTokens, 0);
		assert.equal(result.thoughtBudget, 0);
		assert.equal(result.answer, reasoningChat.answer);
		assert.ok(chunks.every(chunk => chunk.kind === 'answer'));
	});

	it('Stop (abort) ends generation at once: no chunk after the abort', async () => {
		const controller = new AbortController();
		let chunks = 0;
		let afterAbort = 0;
		const answering = runtime.chat({
			history: [], message: 'Long', effort: 'high', signal: controller.signal,
			onChunk: () => {
				if (controller.signal.aborted) {
					afterAbort++;
				} else if (++chunks === 5) {
					controller.abort();
				}
			},
		});
		await assert.rejects(answering, (error: Error) => error.name === 'AbortError');
		assert.equal(chunks, 5);
		assert.equal(afterAbort, 0);
		// The engine is free again at once.
		const next = await runtime.chat({ history: [], message: 'Again', effort: 'high' });
		assert.equal(next.answer, reasoningChat.answer);
	});

	it('continues a chat after a runtime restart from the client-held history, reasoning included', async () => {
		const first = await runtime.chat({ history: [], message: earlierTurn.user, effort: 'high' });
		const history: ChatTurn[] = [{ user: earlierTurn.user, thought: first.thought, assistant: first.answer }];
		const restarted = new Runtime();
		try {
			await restarted.configure({ modelPath: chatModel, completionEnabled: true, threads: 2, gpu: 'off' });
			const prompt = await restarted.renderChatPrompt({ history, message: 'And y?', effort: 'high' });
			assert.equal(prompt, `<s>${system}${settings('high')}[INST]${earlierTurn.user}[/INST][THINK]${reasoningChat.thought}[/THINK]${reasoningChat.answer}</s>[INST]And y?[/INST]`);
			const second = await restarted.chat({ history, message: 'And y?', effort: 'high' });
			assert.equal(second.answer, reasoningChat.answer);
		} finally {
			await restarted.dispose();
		}
	});

	it('chat and completion on the same GGUF load it once', async () => {
		const shared = new Runtime();
		try {
			const fim = await ensureFixtureModel('mistral4Fim');
			await shared.configure({ modelPath: fim, completionEnabled: true, threads: 2, gpu: 'off', chatModelPath: fim });
			const chat = await shared.chat({ history: [], message: 'Hello', effort: 'off' });
			const completion = await shared.complete(canonicalFim);
			assert.equal(chat.answer, chatAnswer);
			assert.equal(completion.text, canonicalFim.middle);
			assert.equal(shared.loadedModelCount, 1);
		} finally {
			await shared.dispose();
		}
	});

	it('completion runs first while a chat streams from another model, and returns the right text', async () => {
		const both = new Runtime();
		try {
			await both.configure({ modelPath: await ensureFixtureModel('mistral4Fim'), completionEnabled: true, threads: 2, gpu: 'off', chatModelPath: chatModel });
			let chatChunks = 0;
			let chunksDuringCompletion = 0;
			let completing: Promise<string> | undefined;
			let completionRunning = false;
			const answer = await both.chat({
				history: [], message: 'Stream', effort: 'high',
				onChunk: () => {
					chatChunks++;
					if (completionRunning) {
						chunksDuringCompletion++;
					}
					if (chatChunks === 3) {
						completionRunning = true;
						completing = both.complete(canonicalFim).then(result => result.text).finally(() => { completionRunning = false; });
					}
				},
			});
			assert.equal(await completing, canonicalFim.middle);
			assert.equal(answer.answer, reasoningChat.answer, 'the chat resumed and finished after the completion');
			// At most the token already being evaluated when the completion arrived.
			assert.ok(chunksDuringCompletion <= 1, `${chunksDuringCompletion} chat chunks while completing`);
			assert.equal(both.loadedModelCount, 2);
		} finally {
			await both.dispose();
		}
	});

	it('refuses with a clear RuntimeError when there is no model or the chat model cannot load', async () => {
		const empty = new Runtime();
		try {
			await empty.configure({ modelPath: '', completionEnabled: true, threads: 2, gpu: 'off' });
			await assert.rejects(empty.chat({ history: [], message: 'Hi', effort: 'off' }), (error: unknown) => error instanceof RuntimeError && error.code === 'noModel');
			await empty.configure({ modelPath: '', completionEnabled: true, threads: 2, gpu: 'off', chatModelPath: '/nowhere/missing.gguf' });
			await assert.rejects(empty.chat({ history: [], message: 'Hi', effort: 'off' }), (error: unknown) => error instanceof RuntimeError && error.code === 'modelNotFound' && /missing\.gguf/.test(error.message));
		} finally {
			await empty.dispose();
		}
	});
});
