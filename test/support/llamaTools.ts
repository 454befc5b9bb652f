/*
 * llama.cpp's own `llama-server` and `llama-bench`, built from the source node-llama-cpp ships by
 * scripts/build-llama-tools.mjs into .cache/llama-tools/<version>/bin. Benchmarks compare Bora with
 * them, and tests of a remote engine talk to the server. `npm test` builds them first (test/run.sh);
 * the first build takes about 10 minutes on 2 cores, later runs skip it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

export interface LlamaTools {
	/** node-llama-cpp's version, whose llama.cpp the tools were built from. */
	readonly version: string;
	readonly server: string;
	readonly bench: string;
}

export const buildLlamaToolsCommand = 'node scripts/build-llama-tools.mjs';

function toolPaths(): LlamaTools {
	const version = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/node-llama-cpp/package.json'), 'utf8')) as { version: string }).version;
	const bin = join(repoRoot, '.cache/llama-tools', version, 'bin');
	return { version, server: join(bin, 'llama-server'), bench: join(bin, 'llama-bench') };
}

/** The tools when a build finished (its stamp is written last), else `undefined`; never builds. */
export function builtLlamaTools(): LlamaTools | undefined {
	const tools = toolPaths();
	const built = [tools.server, tools.bench, join(tools.server, '..', 'stamp')].every(path => existsSync(path));
	return built ? tools : undefined;
}

/**
 * Builds the tools when missing or stale (a no-op check of a second when up to date) and returns
 * their paths. Throws with the build's own reason when it cannot build (no compiler, say).
 */
export function ensureLlamaTools(): LlamaTools {
	const result = spawnSync(process.execPath, [join(repoRoot, 'scripts/build-llama-tools.mjs')], { cwd: repoRoot, stdio: 'inherit' });
	const tools = builtLlamaTools();
	if (result.status !== 0 || !tools) {
		throw new Error(`llama.cpp's tools could not be built (exit ${result.status}); see the output above, or run ${buildLlamaToolsCommand}`);
	}
	return tools;
}
