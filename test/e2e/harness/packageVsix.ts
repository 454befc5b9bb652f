import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/paths';

/** Builds the .vsix with `npm run package`'s script and returns its path. */
export async function packageVsix(): Promise<string> {
	const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, 'scripts', 'package.mjs')], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
	const path = /^vsix:\s+(.+\.vsix)$/m.exec(stdout)?.[1];
	if (!path) {
		throw new Error(`scripts/package.mjs printed no vsix path:\n${stdout}`);
	}
	return path;
}
