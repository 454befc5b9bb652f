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
	const resolvedThreads = threads > 0 ? threads : Math.max(1, llama.cpuMathCores);
	llama.maxThreads = resolvedThreads;
	const generationThreads = threads > 0 ? threads : generationThreadsFor(resolvedThreads);
	return { llama, backend: llama.gpu === false ? 'cpu' : llama.gpu, threads: resolvedThreads, generationThreads };
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
