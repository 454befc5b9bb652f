/*
 * What the chat template guard costs on a normal template (the mistral4Chat fixture): resolving the
 * wrapper on the main thread against in the worker, and one turn's render unguarded, guarded ahead
 * (the path a turn takes) and guarded synchronously (a render nobody did ahead). Also counts the
 * renders LlamaChat asks for in one turn, and the longest the event loop stood still meanwhile.
 * Prints numbers; asserts nothing.
 */
import { getLlama, LlamaChat, resolveChatWrapper, type ChatHistoryItem } from 'node-llama-cpp';
import { TemplateGuard } from '../../src/runtime/chat/templateGuard/TemplateGuard';
import { toChatHistory } from '../../src/runtime/chat/toChatHistory';
import { planReasoning } from '../../src/runtime/reasoning/planReasoning';
import { ensureFixtureModel } from '../models/fixtures';
import { quantile } from './statistics';

/** The longest gap between event-loop turns while `work` runs. */
async function longestStall<T>(work: () => Promise<T> | T): Promise<{ result: T; stallMs: number; ms: number }> {
	let last = performance.now();
	let stallMs = 0;
	const timer = setInterval(() => {
		const now = performance.now();
		stallMs = Math.max(stallMs, now - last);
		last = now;
	}, 1);
	const started = performance.now();
	const result = await work();
	const ms = performance.now() - started;
	await new Promise(resolve => setTimeout(resolve, 5));
	clearInterval(timer);
	return { result, stallMs: Math.max(stallMs, performance.now() - last), ms };
}

const median = (values: number[]) => quantile(values, 0.5).toFixed(3);

const llama = await getLlama({ gpu: false });
const model = await llama.loadModel({ modelPath: await ensureFixtureModel('mistral4Chat') });
const settings = planReasoning({ support: { supported: true, family: 'mistral4', canTurnOff: true }, effort: 'high', contextSize: 4096 }).wrapperSettings;

const unguarded = await longestStall(() => resolveChatWrapper(model, { customWrapperSettings: settings, fallbackToOtherWrappersOnJinjaError: false, warningLogs: false }));
// A generous synchronous wait: a busy machine's pause must not end the measurement.
const guard = new TemplateGuard(model, { modelName: 'mistral4Chat', syncWaitMs: 5000 });
const guarded = await longestStall(() => guard.resolve('high', settings));
console.log(`resolve: main thread ${unguarded.ms.toFixed(0)} ms (event loop stalled ${unguarded.stallMs.toFixed(0)} ms); worker ${guarded.ms.toFixed(0)} ms incl. start (event loop stalled at most ${guarded.stallMs.toFixed(0)} ms)`);

const turns = Array.from({ length: 8 }, (_, turn) => ({ user: `Question ${turn}: ${'how does this work? '.repeat(40)}`, assistant: `Answer ${turn}: ${'like this. '.repeat(80)}`, thought: 'Thinking.' }));
const histories = (n: number): ChatHistoryItem[] => toChatHistory({ systemPrompt: 'You are Bora.', history: turns, message: `Last question ${n}` });
const plain: number[] = [];
const ahead: number[] = [];
const aheadBlocked: number[] = [];
const sync: number[] = [];
const wrapper = unguarded.result;
const guardedWrapper = guarded.result;
for (let n = 0; n < 60; n++) {
	let started = performance.now();
	wrapper.generateContextState({ chatHistory: histories(n) });
	plain.push(performance.now() - started);
	started = performance.now();
	await guardedWrapper.render({ chatHistory: histories(n) });
	ahead.push(performance.now() - started);
	started = performance.now();
	guardedWrapper.generateContextState({ chatHistory: histories(n) });
	aheadBlocked.push(performance.now() - started);
	started = performance.now();
	guardedWrapper.generateContextState({ chatHistory: histories(n + 1000) });
	sync.push(performance.now() - started);
}
console.log(`one turn's render (17 messages, ~12 KB), median ms: unguarded ${median(plain)}; guarded, rendered ahead ${median(ahead)} (off the event loop) + ${median(aheadBlocked)} for LlamaChat's call; guarded, synchronous ${median(sync)}`);

let calls = 0;
const generateContextState = guardedWrapper.generateContextState.bind(guardedWrapper);
guardedWrapper.generateContextState = options => {
	calls++;
	return generateContextState(options);
};
const context = await model.createContext({ contextSize: 4096 });
const chat = new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: guardedWrapper, autoDisposeSequence: false });
const history = toChatHistory({ systemPrompt: 'You are Bora.', history: [], message: 'Show me a constant' });
await guardedWrapper.render({ chatHistory: history });
let chunks = 0;
await chat.generateResponse(history, { maxTokens: 200, onResponseChunk: () => chunks++ });
console.log(`renders in one turn: ${calls} (for ${chunks} response chunks)`);
await guard.dispose();
await context.dispose();
await model.dispose();
await llama.dispose();
