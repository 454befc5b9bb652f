/**
 * Threads in libuv's pool for the runtime process (libuv's default is 4). Everything slow the
 * runtime does natively runs there: node-llama-cpp's model loads and decode batches (a completion
 * and a chat, each loading or generating: up to 4 at once), the vision addon (1: its requests queue),
 * image file reads (at most 2: `imageReadSlots`) and the PNG bomb check (1); that is 8 that may
 * each hold a thread for seconds, or, for a read on a hung drive, much longer. The other 8 are for
 * short work that must never wait behind them: workspace files for completion context, settings
 * and model-store files, DNS lookups and hashing of downloads. An idle thread costs its stack's
 * address space, no CPU.
 */
export const runtimeThreadPoolSize = 16;

/**
 * The environment variables to start the runtime with. libuv reads `UV_THREADPOOL_SIZE` once, when
 * the pool first starts, and Node's ES module loader starts it to read the runtime's own bundle,
 * before any line of it runs: setting it inside the runtime comes too late, so whoever spawns the
 * runtime sets it. A value the user already set is kept.
 */
export function runtimeProcessEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
	return { UV_THREADPOOL_SIZE: env['UV_THREADPOOL_SIZE'] || String(runtimeThreadPoolSize) };
}
