import assert from 'node:assert/strict';
import { RestartPolicy } from '../../src/extension/RestartPolicy';

describe('runtime restart policy', () => {
	it('restarts a runtime that died up to four times in three minutes, then gives up and says how often', () => {
		const policy = new RestartPolicy();
		for (let crash = 0; crash < 4; crash++) {
			assert.deepEqual(policy.onCrash(crash * 1000), { restart: true });
		}
		assert.deepEqual(policy.onCrash(5000), { restart: false, crashes: 5, windowMinutes: 3 });
	});

	it('forgets crashes older than the window', () => {
		const policy = new RestartPolicy({ maxRestarts: 1, windowMs: 60_000 });
		assert.deepEqual(policy.onCrash(0), { restart: true });
		assert.deepEqual(policy.onCrash(60_001), { restart: true });
		assert.equal(policy.onCrash(60_002).restart, false);
	});
});
