import assert from 'node:assert/strict';
import { resolveChatWrapper, type ChatHistoryItem, type ResolveChatWrapperOptions, type GgufMetadata, type LlamaModel } from 'node-llama-cpp';
import { TemplateGuard, type TemplateGuardOptions, type TemplateModel } from '../../src/runtime/chat/templateGuard/TemplateGuard';
import { RuntimeError } from '../../src/runtime/errors/RuntimeError';
import { planReasoning } from '../../src/runtime/reasoning/planReasoning';
import { mistral4ChatTemplate } from '../models/chatTemplates';

/** Special tokens of the Mistral Small 4 template get ids from 1000 on; other text is one token per character. */
const specials = ['<s>', '</s>', '[INST]', '[/INST]', '[THINK]', '[/THINK]', '[SYSTEM_PROMPT]', '[/SYSTEM_PROMPT]', '[MODEL_SETTINGS]', '[/MODEL_SETTINGS]'];
const builtin: Record<string, string> = { BOS: '<s>', EOS: '</s>', EOT: '</s>' };

function tokenize(text: string, specialTokens?: boolean | 'builtin'): number[] {
	if (specialTokens === 'builtin') {
		return [1000 + specials.indexOf(builtin[text] ?? '')];
	}
	const tokens: number[] = [];
	for (let at = 0; at < text.length;) {
		const special = specialTokens ? specials.find(token => text.startsWith(token, at)) : undefined;
		tokens.push(special ? 1000 + specials.indexOf(special) : text.charCodeAt(at));
		at += special?.length ?? 1;
	}
	return tokens;
}

const tokenizer = Object.assign(tokenize, {
	detokenize: (tokens: readonly number[]) => tokens.map(token => token >= 1000 ? specials[token - 1000] : String.fromCharCode(token)).join(''),
	isSpecialToken: (token: number) => token >= 1000,
	isEogToken: (token: number) => token === 1001,
}) as unknown as LlamaModel['tokenizer'];

function modelWith(template: string): TemplateModel {
	const metadata = { general: { architecture: 'mistral4', name: 'Guarded Test' }, tokenizer: { chat_template: template } } as unknown as GgufMetadata;
	return { tokens: { bosString: '<s>' }, filename: 'guarded-test.gguf', fileInfo: { metadata }, tokenizer };
}

const conversation: ChatHistoryItem[] = [
	{ type: 'system', text: 'You are a test.' },
	{ type: 'user', text: 'First question' },
	{ type: 'model', response: [{ type: 'segment', segmentType: 'thought', text: 'Thinking it over', ended: true }, 'First answer'] },
	{ type: 'user', text: `A long message: ${'x'.repeat(20_000)}` },
	{ type: 'model', response: [] },
];

/**
 * Loops 250 million times before the real template: far past the 1 s bound on any machine, so the
 * per-render bound (not the 30 s bound on resolving) refuses it. A quarter-million loop here took
 * about 0.5 s per render: under the bound on an idle machine, over it on a loaded one.
 */
const slowTemplate = "{%- for i in range(2500) -%}{%- for j in range(100000) -%}{%- set x = j * 2 -%}{%- endfor -%}{%- endfor -%}" + mistral4ChatTemplate;
/**
 * Fast for the short chats node-llama-cpp resolves with; far past the bound for a chat of more than 8 messages.
 * (A template never sees the text of a message: node-llama-cpp renders placeholders and puts the
 * text in afterwards, so what it can depend on is the number and roles of the messages.)
 */
const slowOnLongChats = "{%- if messages | length > 8 -%}{%- for i in range(2500) -%}{%- for j in range(100000) -%}{%- endfor -%}{%- endfor -%}{%- endif -%}" + mistral4ChatTemplate;
const longChat: ChatHistoryItem[] = [
	...Array.from({ length: 6 }, (_, turn): ChatHistoryItem[] => [{ type: 'user', text: `Question ${turn}` }, { type: 'model', response: [`Answer ${turn}`] }]).flat(),
	{ type: 'user', text: 'Last question' },
	{ type: 'model', response: [] },
];
/**
 * A quarter-million loop for a chat of more than 8 messages: about 0.5 s on an idle machine, far
 * longer than a 1 ms render, as a busy machine can make any render look to the waiting main thread.
 */
const unhurriedOnLongChats = "{%- if messages | length > 8 -%}{%- for i in range(500) -%}{%- for j in range(500) -%}{%- endfor -%}{%- endfor -%}{%- endif -%}" + mistral4ChatTemplate;
/** Doubles a string 15 times: 327,680 characters from a few bytes. */
const hugeTemplate = "{%- set ns = namespace(s='xxxxxxxxxx') -%}{%- for i in range(15) -%}{%- set ns.s = ns.s + ns.s -%}{%- endfor -%}{{- ns.s -}}" + mistral4ChatTemplate;

/** Counts event-loop turns until stopped: a blocked main thread would count none while a render runs. */
function loopTurns(): { readonly count: () => number; readonly stop: () => void } {
	let turns = 0;
	let timer = setTimeout(function tick() {
		turns++;
		timer = setTimeout(tick, 1);
	}, 1);
	return { count: () => turns, stop: () => clearTimeout(timer) };
}

async function refusal(work: () => Promise<unknown> | unknown): Promise<RuntimeError> {
	try {
		await work();
	} catch (error) {
		assert.ok(error instanceof RuntimeError, String(error));
		return error;
	}
	assert.fail('expected the template to be refused');
}

describe('chat template guard', function () {
	this.timeout(60_000);
	const guards: TemplateGuard[] = [];
	const guardFor = (template: string, limits: Omit<TemplateGuardOptions, 'modelName'> = {}) => {
		const guard = new TemplateGuard(modelWith(template), { ...limits, modelName: 'Guarded Test' });
		guards.push(guard);
		return guard;
	};
	after(async () => {
		await Promise.all(guards.map(guard => guard.dispose()));
	});

	it('resolves and renders a normal template exactly as node-llama-cpp does on the main thread', async () => {
		const settings = planReasoning({ support: { supported: true, family: 'mistral4', canTurnOff: true }, effort: 'high', contextSize: 4096 }).wrapperSettings;
		const model = modelWith(mistral4ChatTemplate);
		const unguarded = resolveChatWrapper({
			bosString: '<s>', filename: model.filename, fileInfo: model.fileInfo as LlamaModel['fileInfo'], tokenizer,
			// resolveChatWrapper(model, …) passes the settings on as they are.
			customWrapperSettings: settings as ResolveChatWrapperOptions['customWrapperSettings'], fallbackToOtherWrappersOnJinjaError: false, warningLogs: false,
		})!;
		// Identity, not speed, is checked here: the synchronous path may wait as long as it takes on a busy machine.
		const guarded = await guardFor(mistral4ChatTemplate, { syncWaitMs: 60_000 }).resolve('high', settings);
		assert.equal(guarded.wrapperName, unguarded.wrapperName);
		assert.deepEqual(JSON.parse(JSON.stringify(guarded.settings)), JSON.parse(JSON.stringify(unguarded.settings)));
		for (const chatHistory of [conversation, conversation.slice(1, 3).concat({ type: 'user', text: 'Hi' }, { type: 'model', response: [] })]) {
			const expected = unguarded.generateContextState({ chatHistory });
			const rendered = await guarded.render({ chatHistory });
			assert.equal(JSON.stringify(rendered), JSON.stringify(expected));
			assert.deepEqual(rendered.contextText.tokenize(tokenizer), expected.contextText.tokenize(tokenizer));
			// The synchronous call LlamaChat makes: the same state, from the render above or from the worker.
			assert.equal(JSON.stringify(guarded.generateContextState({ chatHistory })), JSON.stringify(expected));
			assert.equal(JSON.stringify(guarded.generateContextState({ chatHistory: [...chatHistory.slice(0, -1), { type: 'user', text: 'Other' }, { type: 'model', response: [] }] })),
				JSON.stringify(unguarded.generateContextState({ chatHistory: [...chatHistory.slice(0, -1), { type: 'user', text: 'Other' }, { type: 'model', response: [] }] })));
		}
	});

	it('refuses a template whose render runs past the time bound, while the event loop keeps turning', async () => {
		const guard = guardFor(slowTemplate);
		const turns = loopTurns();
		const error = await refusal(() => guard.resolve('plain', {}));
		const turnsDuringCheck = turns.count();
		turns.stop();
		assert.equal(error.code, 'unsafeChatTemplate');
		assert.match(error.message, /^The chat template of Guarded Test took longer than 1000 ms to render a conversation/);
		assert.match(error.action, /bora\.chat\.modelPath/);
		assert.ok(turnsDuringCheck > 0, 'the event loop did not turn while the template was checked');
		// Refused once, refused from then on, at once.
		assert.equal(await refusal(() => guard.resolve('other', {})), error);
	});

	it('a render nobody did ahead (a thought budget ran out) is waited for as long as its bound allows, however slow the worker is to answer', async () => {
		// A generous bound: only the wait is under test, not the machine's speed.
		const wrapper = await guardFor(unhurriedOnLongChats, { renderTimeoutMs: 60_000 }).resolve('plain', {});
		const state = wrapper.generateContextState({ chatHistory: longChat });
		assert.match(state.contextText.toString(), /\[INST\]Last question\[\/INST\]/);
	});

	it('refuses a template whose output passes the size bound', async () => {
		const error = await refusal(() => guardFor(hugeTemplate).resolve('plain', {}));
		assert.equal(error.code, 'unsafeChatTemplate');
		assert.match(error.message, /produced more than 100000 characters/);
	});

	it('bounds every render, not only the check: a template slow on long chats is refused when one arrives', async () => {
		const guard = guardFor(slowOnLongChats);
		const wrapper = await guard.resolve('plain', {});
		assert.equal(wrapper.wrapperName, 'JinjaTemplate');
		const short: ChatHistoryItem[] = [{ type: 'user', text: 'Hi' }, { type: 'model', response: [] }];
		assert.match(String((await wrapper.render({ chatHistory: short })).contextText.toString()), /\[INST\]Hi\[\/INST\]/);
		// The synchronous path (LlamaChat's own call) waits as long as a render may take, then gives up; the render is refused at its bound.
		const late = await refusal(() => wrapper.generateContextState({ chatHistory: longChat }));
		assert.equal(late.code, 'unsafeChatTemplate');
		assert.match(late.message, /took longer than 1000 ms to render this conversation/);
		const error = await refusal(async () => {
			for (;;) {
				await wrapper.render({ chatHistory: short });
				await new Promise(resolve => setTimeout(resolve, 20));
			}
		});
		assert.match(error.message, /took longer than 1000 ms/);
		assert.equal(await refusal(() => wrapper.render({ chatHistory: short })), error);

		const asyncGuard = guardFor(slowOnLongChats);
		const asyncWrapper = await asyncGuard.resolve('plain', {});
		const turns = loopTurns();
		const asyncError = await refusal(() => asyncWrapper.render({ chatHistory: longChat }));
		turns.stop();
		assert.equal(asyncError.code, 'unsafeChatTemplate');
		assert.ok(turns.count() > 0);
	});
});
