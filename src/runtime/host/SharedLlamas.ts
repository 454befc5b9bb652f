import { createLlama, type CreateLlamaOptions, type LlamaHandle } from '../loading/createLlama';
import type { Logger } from '../Logger';
import type { GpuMode } from '../../shared/types';

/**
 * llama.cpp for a process that runs several runtimes (the shared runtime): one `Llama` per GPU
 * mode and thread count, created on first use and kept until {@link dispose}, so windows with the
 * same settings use one backend and one thread pool, and a model freed by one runtime does not
 * take llama.cpp's start-up cost with it.
 */
export class SharedLlamas implements AsyncDisposable {
	private readonly handles = new Map<string, Promise<LlamaHandle>>();

	/** `llamaLogLevel`: see {@link CreateLlamaOptions.llamaLogLevel}. */
	constructor(private readonly logger: Logger, private readonly llamaLogLevel: CreateLlamaOptions['llamaLogLevel'] = 'warn') { }

	get(gpu: GpuMode, threads: number): Promise<LlamaHandle> {
		const key = `${gpu}/${threads}`;
		let handle = this.handles.get(key);
		if (!handle) {
			handle = createLlama({ gpu, threads, logger: this.logger, llamaLogLevel: this.llamaLogLevel });
			// A failed start is tried again on the next use, not remembered.
			handle.catch(() => this.handles.delete(key));
			this.handles.set(key, handle);
		}
		return handle;
	}

	async dispose(): Promise<void> {
		const handles = [...this.handles.values()];
		this.handles.clear();
		for (const handle of await Promise.allSettled(handles)) {
			if (handle.status === 'fulfilled') {
				await handle.value.llama.dispose();
			}
		}
	}

	[Symbol.asyncDispose](): Promise<void> {
		return this.dispose();
	}
}
