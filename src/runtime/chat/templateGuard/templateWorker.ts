// The template worker: its own entry point (dist/templateWorker.mjs), started by TemplateGuard.
// A chat template is code from the model file; here it runs away from the runtime's event loop, and
// the main thread can stop it (Worker.terminate) when a render runs past its bound.
import { Template } from '@huggingface/jinja';
import { resolveChatWrapper, type ChatWrapper, type ChatWrapperGenerateContextStateOptions, type ResolveChatWrapperOptions, type Token, type Tokenizer } from 'node-llama-cpp';
import { MessageChannel, parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { decodeLlamaValues, encodeLlamaValues } from './llamaTextCodec';
import { sharedLayout, type TemplateViolation, type TemplateWorkerData, type TemplateWorkerReply, type TemplateWorkerRequest, type TokenizerOperation } from './workerMessages';

const data = workerData as TemplateWorkerData;
const flags = new Int32Array(data.shared);
const clock = new Float64Array(data.shared, 0, 1);
const port = parentPort!;
const wrappers = new Map<string, ChatWrapper>();

/** The size bound of the current operation, and the bound a render broke during it. */
let outputLimit = data.maxOutputChars;
let violation: TemplateViolation | undefined;
let renders = 0;

// node-llama-cpp renders every Jinja template through this class (the same module instance: both
// resolve @huggingface/jinja from node_modules). Patching it here, in a thread that does nothing
// else, times every render (for the main thread's watchdog) and bounds its output.
const render = Template.prototype.render;
Template.prototype.render = function (this: Template, items?: Parameters<Template['render']>[0]): string {
	renders++;
	clock[sharedLayout.renderStartedAt] = Date.now();
	try {
		const output = render.call(this, items);
		if (output.length > outputLimit) {
			violation ??= { kind: 'size', limitChars: outputLimit };
			throw new Error(`The chat template produced ${output.length} characters`);
		}
		return output;
	} finally {
		clock[sharedLayout.renderStartedAt] = 0;
	}
};

port.on('message', (request: TemplateWorkerRequest.Type) => {
	violation = undefined;
	const reply = answer(request);
	if (request.type === 'render' && request.replyPort) {
		request.replyPort.postMessage(reply);
		request.replyPort.close();
		Atomics.store(flags, sharedLayout.syncReplyFlag, 1);
		Atomics.notify(flags, sharedLayout.syncReplyFlag);
	} else {
		port.postMessage(reply);
	}
});

function answer(request: TemplateWorkerRequest.Type): TemplateWorkerReply.Type {
	const { id } = request;
	try {
		if (request.type === 'resolve') {
			outputLimit = data.maxOutputChars;
			const before = renders;
			const options: ResolveChatWrapperOptions = {
				bosString: request.bosString,
				architecture: request.metadata['general'] === undefined ? undefined : (request.metadata['general'] as { architecture?: ResolveChatWrapperOptions['architecture'] }).architecture,
				filename: request.filename,
				fileInfo: { metadata: request.metadata } as unknown as ResolveChatWrapperOptions['fileInfo'],
				tokenizer: mainThreadTokenizer,
				customWrapperSettings: decodeLlamaValues(request.customWrapperSettings),
				fallbackToOtherWrappersOnJinjaError: false,
				warningLogs: false,
			};
			const wrapper = resolveChatWrapper(options);
			if (violation) {
				return { type: 'refused', id, violation };
			}
			if (!wrapper) {
				return { type: 'failed', id, message: 'No chat wrapper fits this model' };
			}
			if (wrapper.wrapperName === 'JinjaTemplate' && renders === before) {
				// The patch above did not see the template run: its renders would be unbounded.
				return { type: 'failed', id, message: 'The chat template could not be rendered under a bound (a second copy of @huggingface/jinja?)' };
			}
			wrappers.set(request.key, wrapper);
			return { type: 'resolved', id, wrapperName: wrapper.wrapperName, settings: encodeLlamaValues(wrapper.settings) };
		}
		const wrapper = wrappers.get(request.key);
		if (!wrapper) {
			return { type: 'failed', id, message: `No chat wrapper was resolved for ${request.key}` };
		}
		const options = decodeLlamaValues<ChatWrapperGenerateContextStateOptions>(request.options);
		// A template may repeat what it is given, but not much more: twice the input plus a fixed allowance.
		outputLimit = data.maxOutputChars + 2 * JSON.stringify(request.options).length;
		const state = wrapper.generateContextState(options);
		return violation ? { type: 'refused', id, violation } : { type: 'rendered', id, state: encodeLlamaValues(state) };
	} catch (error) {
		return violation ? { type: 'refused', id, violation } : { type: 'failed', id, message: error instanceof Error ? error.message : String(error) };
	}
}

/** Chat wrappers tokenize a few markers while they resolve; the model's tokenizer answers from the main thread. */
function callTokenizer(call: TokenizerOperation): unknown {
	const channel = new MessageChannel();
	Atomics.store(flags, sharedLayout.tokenizerReplyFlag, 0);
	port.postMessage({ type: 'tokenizer', call, port: channel.port2 } satisfies TemplateWorkerReply.TokenizerCall, [channel.port2 as MessagePort]);
	Atomics.wait(flags, sharedLayout.tokenizerReplyFlag, 0, 10_000);
	const reply = receiveMessageOnPort(channel.port1) as { message: { value?: unknown; error?: string } } | undefined;
	channel.port1.close();
	if (!reply || reply.message.error !== undefined) {
		throw new Error(`The tokenizer did not answer: ${reply?.message.error ?? 'timed out'}`);
	}
	return reply.message.value;
}

const mainThreadTokenizer = Object.assign(
	(text: string, specialTokens?: boolean | 'builtin', options?: 'trimLeadingSpace') => callTokenizer({ op: 'tokenize', text, specialTokens, options }) as Token[],
	{
		detokenize: (tokens: readonly Token[], specialTokens?: boolean, lastTokens?: readonly Token[]) => callTokenizer({ op: 'detokenize', tokens, specialTokens, lastTokens }) as string,
		isSpecialToken: (token: Token) => callTokenizer({ op: 'isSpecialToken', token }) as boolean,
		isEogToken: (token: Token) => callTokenizer({ op: 'isEogToken', token }) as boolean,
	},
) as unknown as Tokenizer;
