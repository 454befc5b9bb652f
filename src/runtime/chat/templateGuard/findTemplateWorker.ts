import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const workerFile = 'templateWorker.mjs';

/**
 * The worker bundle esbuild writes beside dist/server.mjs: next to this bundle, else in `dist/`
 * above it (test bundles live in out/). `undefined` when it is not installed.
 */
export function findTemplateWorker(): string | undefined {
	for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
		for (const candidate of [join(dir, workerFile), join(dir, 'dist', workerFile)]) {
			if (existsSync(candidate)) {
				return candidate;
			}
		}
		if (dirname(dir) === dir) {
			return undefined;
		}
	}
}
