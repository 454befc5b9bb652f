import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file wherever the test bundle was written. */
export const repoRoot: string = (() => {
	for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
		const manifest = join(dir, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'bora') {
			return dir;
		}
		if (dirname(dir) === dir) {
			throw new Error('Cannot find the Bora repository root');
		}
	}
})();

export const serverModule = join(repoRoot, 'dist', 'server.mjs');
