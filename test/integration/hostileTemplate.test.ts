import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { BoraErrorCodes, type RuntimeErrorInfo } from '../../src/shared/protocol';
import { mistral4ChatTemplate } from '../models/chatTemplates';
import { canonicalFim, ensureFixtureModel, reasoningChat, writeChatModelWithTemplate } from '../models/fixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const uri = 'file:///workspace/add.js';
const documentText = `${canonicalFim.prefix}|${canonicalFim.suffix}\n`;

/**
 * The Mistral Small 4 template behind a 2,500-iteration loop whose body loops again: seconds for one
 * render, and node-llama-cpp renders a template thousands of times to resolve it. Unguarded, the
 * runtime's event loop would stop for hours and no completion would be answered.
 */
const hostileTemplate = '{%- for i in range(2500) -%}{%- for j in range(100000) -%}{%- endfor -%}{%- endfor -%}' + mistral4ChatTemplate;

function assertRefusal(error: unknown): RuntimeErrorInfo {
	assert.ok(error instanceof ResponseError, `expected a ResponseError, got ${String(error)}`);
	assert.equal(error.code, BoraErrorCodes.unavailable);
	const info = error.data as RuntimeErrorInfo;
	assert.equal(info.code, 'unsafeChatTemplate');
	assert.match(info.message, /^The chat template of .+ took longer than 1000 ms to render a conversation/);
	assert.match(info.action, /another chat model.*bora\.chat\.modelPath/);
	return info;
}

describe('a chat model with a hostile chat template, through a spawned runtime', function () {
	this.timeout(180_000);
	let dir: string;
	let server: RuntimeServerProcess;
	let chatModel: string;

	before(async () => {
		dir = await mkdtemp(join(tmpdir(), 'bora-hostile-template-'));
		const [fim, hostile, normal] = await Promise.all([
			ensureFixtureModel('mistral4Fim'),
			writeChatModelWithTemplate(join(dir, 'hostile-template.gguf'), hostileTemplate),
			ensureFixtureModel('mistral4Chat'),
		]);
		chatModel = normal;
		server = await RuntimeServerProcess.start({ args: ['--model', fim, '--chatModelPath', hostile, '--threads', '2'] });
		await server.waitForState('ready');
		// The completion context exists before the race below.
		const position = await server.open(uri, documentText);
		assert.equal((await server.complete(uri, position))?.items[0]?.insertText, canonicalFim.middle);
	});
	after(async () => {
		await server?.stop();
		await rm(dir, { recursive: true, force: true });
	});

	it('refuses the chat with the reason, and answers a completion asked while the template is checked', async () => {
		const events: string[] = [];
		const chat = server.chat({ chatId: 'h1', history: [], message: 'Hello', effort: 'off' }).then(
			() => { events.push('chat answered'); },
			(error: unknown) => { events.push('chat refused'); return error; },
		);
		await server.waitForLog(/Loaded chat model/);
		// The chat engine checks the template from here on: a worker starts, and its first render runs until the bound stops it.
		const position = await server.open('file:///workspace/during.js', documentText);
		events.push('completion requested');
		const completion = await server.complete('file:///workspace/during.js', position);
		events.push('completion answered');
		assert.equal(completion?.items[0]?.insertText, canonicalFim.middle);
		assertRefusal(await chat);
		// Which answer comes first is up to the machine; that the completion was asked mid-check and answered is not.
		assert.equal(events[0], 'completion requested');
		assert.deepEqual([...events].sort(), ['chat refused', 'completion answered', 'completion requested']);
	});

	it('keeps refusing the chat at once and answering completions after that', async () => {
		const first = await server.chat({ chatId: 'h2', history: [{ user: 'Hi', assistant: 'Hello.' }], message: 'Again', effort: 'high' }).then(() => undefined, (error: unknown) => error);
		const info = assertRefusal(first);
		const position = await server.open('file:///workspace/after.js', documentText);
		assert.equal((await server.complete('file:///workspace/after.js', position))?.items[0]?.insertText, canonicalFim.middle);
		assert.deepEqual(assertRefusal(await server.chat({ chatId: 'h3', history: [], message: 'Once more', effort: 'off' }).then(() => undefined, (error: unknown) => error)), info);
	});

	it('chats as before once bora.chat.modelPath names a model with a normal template', async () => {
		await server.configure({ chatModelPath: chatModel });
		const result = await server.chat({ chatId: 'n1', history: [], message: 'Show me a constant', effort: 'high' });
		assert.equal(result.thought, reasoningChat.thought);
		assert.equal(result.answer, reasoningChat.answer);
		const position = await server.open('file:///workspace/normal.js', documentText);
		assert.equal((await server.complete('file:///workspace/normal.js', position))?.items[0]?.insertText, canonicalFim.middle);
	});

	it('chat-model completion on a model with that template says why, and the runtime goes on completing once the model changes', async () => {
		const noFim = await writeChatModelWithTemplate(join(dir, 'hostile-template-no-fim.gguf'), hostileTemplate, { withFimTokens: false });
		const other = await RuntimeServerProcess.start({ args: ['--model', noFim, '--threads', '2'] });
		try {
			await other.waitForState('ready');
			const position = await other.open(uri, documentText);
			const refused = await other.complete(uri, position).then(() => undefined, (error: unknown) => error);
			assert.ok(refused instanceof ResponseError, `expected a ResponseError, got ${String(refused)}`);
			const info = refused.data as RuntimeErrorInfo;
			assert.equal(info.code, 'noFimSupport');
			assert.match(info.message, /no fill-in-the-middle tokens, and the chat template of .+ took longer than 1000 ms to render a conversation/);
			assert.match(info.action, /fill-in-the-middle/);
			const fim = await ensureFixtureModel('mistral4Fim');
			await other.configure({ modelPath: fim });
			await other.waitForState('ready', state => state.model.path === fim);
			const after = await other.open('file:///workspace/other.js', documentText);
			assert.equal((await other.complete('file:///workspace/other.js', after))?.items[0]?.insertText, canonicalFim.middle);
		} finally {
			await other.stop();
		}
	});
});
