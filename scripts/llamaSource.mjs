// The llama.cpp source node-llama-cpp ships (its llama/gitRelease.bundle), as a bare clone under
// .cache/test-models shared by scripts/build-vision.mjs, scripts/build-llama-tools.mjs and
// test/models/vocabularies.ts: cloned once, then read with `git archive`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** node-llama-cpp's version and the path of its llama.cpp bundle. */
export function nodeLlamaCppSource() {
	const pkgDir = join(root, 'node_modules/node-llama-cpp');
	const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
	return { bundle: join(pkgDir, 'llama/gitRelease.bundle'), version };
}

/** The bare clone's git dir, cloned from the bundle on first use (atomically, so parallel builds are safe). */
export function ensureLlamaGitDir({ bundle, version }) {
	const gitDir = join(root, '.cache/test-models', `llama.cpp-${version}.git`);
	if (!existsSync(join(gitDir, 'HEAD'))) {
		mkdirSync(dirname(gitDir), { recursive: true });
		const temp = `${gitDir}.tmp-${process.pid}`;
		execFileSync('git', ['clone', '--bare', '--quiet', bundle, temp]);
		try { execFileSync('mv', ['-T', temp, gitDir]); } catch { rmSync(temp, { recursive: true, force: true }); }
	}
	return gitDir;
}

/** Writes `paths` of the clone's HEAD (all of it when empty) into the empty folder `dest`. */
export function extractLlamaSource(gitDir, dest, paths = []) {
	const tar = execFileSync('git', ['--git-dir', gitDir, 'archive', '--format=tar', 'HEAD', ...paths], { maxBuffer: 1024 * 1024 * 1024 });
	execFileSync('tar', ['-x', '-C', dest], { input: tar });
}
