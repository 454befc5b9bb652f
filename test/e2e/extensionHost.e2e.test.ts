import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../support/paths';
import { runExtensionHostTests } from './harness/runExtensionHostTests';

describe('extension-host suites in a real VS Code (code-server 4.139.1)', function () {
	this.timeout(10 * 60_000);

	it('activation, commands, settings and inline completion all pass', async () => {
		const run = await runExtensionHostTests('eh', join(repoRoot, 'out', 'test', 'e2e', 'extensionHost', 'index.cjs'));
		console.log(`    artifacts: ${run.artifacts}`);
		assert.equal(run.exitCode, 0, `extension-host tests failed; log in ${run.artifacts}`);
		assert.ok(run.log.some(line => /passing/.test(line)), 'mocha reported its summary');
	});
});
