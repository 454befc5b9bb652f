import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/paths';

export interface E2eTools {
	/** Node 24, which code-server requires. */
	readonly node24: string;
	/** code-server's entry script (VS Code 1.139.1 server and web workbench). */
	readonly codeServer: string;
	readonly chromium: string;
}

let tools: Promise<E2eTools> | undefined;

/** Runs test/e2e/setup.sh once per process: installs what is missing, and says where everything is. */
export function ensureE2eTools(): Promise<E2eTools> {
	tools ??= (async () => {
		const { stdout } = await promisify(execFile)('bash', [join(repoRoot, 'test', 'e2e', 'setup.sh')], { maxBuffer: 16 * 1024 * 1024 });
		const values = new Map(stdout.trim().split('\n').map(line => line.split(/=(.*)/s, 2) as [string, string]));
		const get = (key: string) => {
			const value = values.get(key);
			if (!value) {
				throw new Error(`test/e2e/setup.sh did not report ${key}`);
			}
			return value;
		};
		return { node24: get('NODE24'), codeServer: get('CODE_SERVER'), chromium: get('CHROMIUM') };
	})();
	return tools;
}
