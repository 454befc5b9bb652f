import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { IdleRelease } from '../../src/runtime/util/IdleRelease';
import { SerialQueue } from '../../src/runtime/util/SerialQueue';

/** Node fires due timers in order of expiry, so a longer wait than the idle time lets the release come due. */
const afterIdle = () => delay(20);

describe('idle release', () => {
	it('releases once after the last use, never during one', async () => {
		const queue = new SerialQueue();
		let released = 0;
		const idle = new IdleRelease(queue, { idleMs: 0, release: async () => { released++; } });
		let finish!: () => void;
		const first = idle.use(() => new Promise<void>(resolve => finish = resolve));
		const second = idle.use(async () => released);
		await afterIdle();
		assert.equal(released, 0, 'nothing is released while a use runs');
		finish();
		await first;
		assert.equal(await second, 0, 'nor between two uses that were both asked for');
		await afterIdle();
		assert.equal(released, 1);
	});

	it('skips a release that came due while a use waited in the queue behind other work', async () => {
		const queue = new SerialQueue();
		let released = 0;
		const idle = new IdleRelease(queue, { idleMs: 0, release: async () => { released++; } });
		await idle.use(async () => undefined);
		let unblock!: () => void;
		void queue.run(() => new Promise<void>(resolve => unblock = resolve));
		await afterIdle(); // the release is due now and waits behind the blocker
		const used = idle.use(async () => released);
		unblock();
		assert.equal(await used, 0, 'the use found what it needs');
		await afterIdle();
		assert.equal(released, 1, 'released after that use instead');
	});

	it('releases nothing once disposed', async () => {
		const queue = new SerialQueue();
		let released = 0;
		const idle = new IdleRelease(queue, { idleMs: 0, release: async () => { released++; } });
		await idle.use(async () => undefined);
		idle[Symbol.dispose]();
		await afterIdle();
		assert.equal(released, 0);
	});
});
