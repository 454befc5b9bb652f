import type { Llama } from 'node-llama-cpp';

/**
 * Threads for the decodes that generate one token each, where they should be fewer than for prompt
 * evaluation. node-llama-cpp 3.21.1 gives a context one thread count for both phases (llama.cpp's
 * `n_threads` and `n_threads_batch`), but its thread splitter reads `llama.maxThreads` before every
 * batch, so changing that cap between the prompt and the first generated token splits the phases
 * (see `ThreadPhases` in the scheduler, which does it).
 */
export interface GenerationThreads {
	readonly llama: Llama;
	readonly threads: number;
}

/**
 * One thread fewer than the cores, at least one. A generated token is a tiny graph that llama.cpp
 * splits across its threads with spin barriers; with every core busy in it, the runtime's event
 * loop and the editor preempt one of them and the others spin until it is back. On a 2-core machine
 * that made one token in four take 15–40 ms instead of 4 (`npm run bench`, threads.bench). Prompt
 * evaluation, one large batch with nothing else running, keeps every core.
 */
export function generationThreadsFor(cores: number): number {
	return Math.max(1, cores - 1);
}
