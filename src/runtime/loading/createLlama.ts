import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import type { Logger } from '../Logger';
import type { Backend, GpuMode } from '../../shared/types';
import { generationThreadsFor } from '../util/generationThreads';

export interface CreateLlamaOptions {
	/** Defaults to `auto`: the best GPU backend that works, else the CPU. */
	readonly gpu?: GpuMode;
	/** Evaluation threads; 0 picks one per physical core. Defaults to `0`. */
	readonly threads?: number;
	/** Receives llama.cpp's warnings and errors (and, at `debug`, its whole load log as info lines). */
	readonly logger?: Logger;
	/** The least severe llama.cpp messages forwarded to `logger`; `debug` shows e.g. where each overridden tensor went. Defaults to `warn`. */
	readonly llamaLogLevel?: 'warn' | 'debug';
}

export interface LlamaHandle {
	readonly llama: Llama;
	readonly backend: Backend;
	/** Threads for prompt evaluation: `threads` when given, else one per physical core. */
	readonly threads: number;
	/** Threads while generating token by token: `threads` when given, else one core fewer (see {@link generationThreadsFor}). */
	readonly generationThreads: number;
}

/**
 * Loads llama.cpp on the best available backend with a thread count taken from the real cores.
 * node-llama-cpp uses at least 4 threads on the CPU by default; on a 2-core machine that made
 * generation about 200 times slower, so the limit is always set explicitly.
 */
export async function createLlama({ gpu = 'auto', threads = 0, logger, llamaLogLevel = 'warn' }: CreateLlamaOptions = {}): Promise<LlamaHandle> {
	let llama: Llama;
	try {
		llama = await getLlama({
			gpu: gpu === 'off' ? false : 'auto',
			// Never compile or download llama.cpp on a user's machine; the prebuilt binaries ship with Bora.
			build: 'never',
			skipDownload: true,
			progressLogs: false,
			logLevel: llamaLogLevel === 'debug' ? LlamaLogLevel.debug : LlamaLogLevel.warn,
			logger: (level, message) => forwardLog(logger, level, message),
		});
	} catch (error) {
		throw RuntimeError.from(error, {
			code: 'backendUnavailable',
			message: 'llama.cpp could not start on this machine',
			action: 'Check that Bora supports this platform and CPU; see the runtime log for details.',
		});
	}
	if (gpu === 'on' && llama.gpu === false) {
		await llama.dispose();
		throw new RuntimeError({
			code: 'noGpu',
			message: 'No GPU backend (CUDA, Metal or Vulkan) works on this machine, and bora.gpu is "on"',
			action: 'Set bora.gpu to "auto" to fall back to the CPU, or install the GPU driver.',
		});
	}
	await keepNativeLogForwarded(llama);
	const resolvedThreads = threads > 0 ? threads : Math.max(1, llama.cpuMathCores);
	llama.maxThreads = resolvedThreads;
	const generationThreads = threads > 0 ? threads : generationThreadsFor(resolvedThreads);
	return { llama, backend: llama.gpu === false ? 'cpu' : llama.gpu, threads: resolvedThreads, generationThreads };
}

/**
 * Set once a Llama was created in this process: from the second on, the native logger needs help. On
 * `globalThis` because the addon's logger is per process, while each bundle (the runtime, every test
 * file) has its own copy of this module.
 */
const llamaCreated = Symbol.for('bora.llamaCreatedInProcess');

/**
 * node-llama-cpp 3.21.1's addon has one native logger per process: every new Llama replaces it, and
 * the replaced one's finalizer, which runs an event-loop turn later, clears the flag the new one
 * relies on. From then on llama.cpp's messages bypass every logger and go to stdout, which is the
 * LSP channel of a `--stdio` runtime. So from the second Llama on (a changed bora.threads or
 * bora.gpu, a shared runtime serving windows with different ones), wait for that finalizer and
 * install the logger again: with the flag cleared, nothing is released and no finalizer is pending.
 */
async function keepNativeLogForwarded(llama: Llama): Promise<void> {
	if (!Reflect.get(globalThis, llamaCreated)) {
		Reflect.set(globalThis, llamaCreated, true);
		return;
	}
	const bindings: unknown = Reflect.get(llama, '_bindings');
	const onAddonLog: unknown = Reflect.get(llama, '_onAddonLog');
	const setLogger: unknown = typeof bindings === 'object' && bindings !== null ? Reflect.get(bindings, 'setLogger') : undefined;
	if (typeof setLogger !== 'function' || typeof onAddonLog !== 'function') {
		return;
	}
	// The finalizer runs in a close callback, after the check phase of the turn that saw the release:
	// two turns are enough on an idle loop; the timer gives a busy one room.
	for (let turn = 0; turn < 2; turn++) {
		await new Promise<void>(resolve => setImmediate(resolve));
	}
	await new Promise<void>(resolve => setTimeout(resolve, 20));
	Reflect.apply(setLogger, bindings, [onAddonLog]);
}

function forwardLog(logger: Logger | undefined, level: LlamaLogLevel, message: string): void {
	const text = message.trimEnd();
	if (!logger || text.length === 0) {
		return;
	}
	switch (level) {
		case LlamaLogLevel.fatal:
		case LlamaLogLevel.error:
			logger.error(`[llama.cpp] ${text}`);
			break;
		case LlamaLogLevel.warn:
			logger.warn(`[llama.cpp] ${text}`);
			break;
		default:
			logger.info(`[llama.cpp] ${text}`);
	}
}
