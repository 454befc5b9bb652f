/**
 * `BORA_LLAMA_LOG=debug` in the runtime's environment forwards llama.cpp's whole log (each model
 * load, the buffers it allocates) to the runtime log, for diagnostics and for tests that read what
 * llama.cpp did; anything else keeps its warnings and errors only.
 */
export function llamaLogLevelOf(env: NodeJS.ProcessEnv): 'warn' | 'debug' {
	return env['BORA_LLAMA_LOG'] === 'debug' ? 'debug' : 'warn';
}
