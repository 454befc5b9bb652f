import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/**
 * Runs the mocha suites in `dir` inside VS Code's extension host. The workbench reports the
 * rejection as a non-zero exit code, which fails the harness run.
 */
export function runMochaSuites(dir: string): Promise<void> {
	const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90_000, reporter: 'spec' });
	for (const file of readdirSync(dir).filter(name => name.endsWith('.test.cjs')).sort()) {
		mocha.addFile(join(dir, file));
	}
	return new Promise((resolve, reject) => {
		mocha.run(failures => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
	});
}
