import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { notRegularFileReason, readImageFile, Semaphore } from '../../src/runtime';
import { rejectsWithRuntimeError } from '../support/rejectsWith';

describe('readImageFile: regular files only, bounded and with a timeout', () => {
	let dir: string;
	before(async () => { dir = await mkdtemp(join(tmpdir(), 'bora-read-image-')); });
	after(() => rm(dir, { recursive: true, force: true }));

	it('reads a regular file whole', async () => {
		const path = join(dir, 'shot.png');
		const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
		await writeFile(path, bytes);
		assert.deepEqual(await readImageFile(path), bytes);
	});

	it('names the kind of a file that is not a regular file', async () => {
		const fifo = join(dir, 'kinds.fifo');
		await promisify(execFile)('mkfifo', [fifo]);
		const file = join(dir, 'kinds.png');
		await writeFile(file, 'x');
		assert.equal(notRegularFileReason(lstatSync(dir)), 'a directory');
		assert.equal(notRegularFileReason(lstatSync(fifo)), 'a named pipe (FIFO)');
		assert.equal(notRegularFileReason(lstatSync('/dev/null')), 'a character device');
		assert.equal(notRegularFileReason(lstatSync(file)), undefined);
	});

	it('refuses a directory, a FIFO without a writer, a socket and a device at once', async () => {
		const fifo = join(dir, 'pipe.png');
		await promisify(execFile)('mkfifo', [fifo]);
		const socketPath = join(dir, 'socket.png');
		const server = createServer();
		await new Promise<void>(resolve => server.listen(socketPath, resolve));
		try {
			await mkdir(join(dir, 'folder.png'));
			await assert.rejects(readImageFile(join(dir, 'folder.png')), rejectsWithRuntimeError('badImage', /folder\.png is a directory, not a regular file\./));
			await assert.rejects(readImageFile(fifo), rejectsWithRuntimeError('badImage', /pipe\.png is a named pipe \(FIFO\), not a regular file\./));
			await assert.rejects(readImageFile(socketPath), rejectsWithRuntimeError('badImage', /socket\.png is a socket, not a regular file\./));
			await assert.rejects(readImageFile('/dev/zero'), rejectsWithRuntimeError('badImage', /\/dev\/zero is a character device, not a regular file\./));
		} finally {
			server.close();
		}
	});

	it('refuses a missing file and one over the size limit without reading it', async () => {
		await assert.rejects(readImageFile(join(dir, 'missing.png')), rejectsWithRuntimeError('badImage', /missing\.png does not exist\./));
		const huge = join(dir, 'huge.png');
		await writeFile(huge, '');
		await truncate(huge, 200 * 1024 * 1024); // sparse
		await assert.rejects(readImageFile(huge), rejectsWithRuntimeError('badImage', /200 MB; images up to 50 MB/));
		await assert.rejects(readImageFile(huge, { maxBytes: 1024 * 1024 }), rejectsWithRuntimeError('badImage', /up to 1 MB/));
	});

	it('a read waiting for a slot past its timeout is refused and never takes the slot', async () => {
		const path = join(dir, 'waits.png');
		await writeFile(path, 'x');
		const slots = new Semaphore(1);
		const release = await slots.acquire(); // as if a read were stuck on a hung drive
		await assert.rejects(readImageFile(path, { slots, timeoutMs: 20 }), rejectsWithRuntimeError('badImage', /took longer than 0\.02 s; its drive may be slow or not answering/));
		assert.equal(slots.inUse, 1);
		release();
		assert.deepEqual(await readImageFile(path, { slots }), Buffer.from('x'));
		assert.equal(slots.inUse, 0, 'the slot is given back after the read');
	});

	it('a cancelled read rejects with the signal\'s reason', async () => {
		const slots = new Semaphore(1);
		const release = await slots.acquire();
		const controller = new AbortController();
		const read = readImageFile(join(dir, 'x.png'), { slots, signal: controller.signal });
		controller.abort(new Error('cancelled by the test'));
		await assert.rejects(read, /cancelled by the test/);
		release();
		assert.equal(slots.inUse, 0);
	});
});

describe('Semaphore', () => {
	it('lets `limit` holders in, then the others in arrival order; release is idempotent', async () => {
		const semaphore = new Semaphore(2);
		const order: number[] = [];
		const first = await semaphore.acquire();
		const second = await semaphore.acquire();
		const third = semaphore.acquire().then(release => { order.push(3); return release; });
		const fourth = semaphore.acquire().then(release => { order.push(4); return release; });
		assert.equal(semaphore.inUse, 2);
		first();
		first();
		(await third)();
		second();
		(await fourth)();
		assert.deepEqual(order, [3, 4]);
		assert.equal(semaphore.inUse, 0);
	});

	it('an aborted waiter leaves the line without a slot', async () => {
		const semaphore = new Semaphore(1);
		const held = await semaphore.acquire();
		const controller = new AbortController();
		const waiting = semaphore.acquire(controller.signal);
		controller.abort(new Error('gone'));
		await assert.rejects(waiting, /gone/);
		held();
		assert.equal(semaphore.inUse, 0);
		(await semaphore.acquire())();
	});
});
