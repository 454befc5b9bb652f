import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../support/paths';
import { runExtensionHostTests } from './harness/runExtensionHostTests';

describe('the e2e harness itself', function () {
	this.timeout(10 * 60_000);

	it('a failing extension-host test makes the run fail', async () => {
		const run = await runExtensionHostTests('fail', join(repoRoot, 'out', 'test', 'e2e', 'extensionHost', 'failing', 'index.cjs'));
		assert.notEqual(run.exitCode, 0);
		assert.ok(run.log.some(line => line.includes('this failure is expected by the harness test')), 'the failure reached the log');
	});
});
