import assert from 'node:assert/strict';
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import { runSafeAsync } from '../../src/lsp/runSafe';
import { RuntimeError } from '../../src/runtime';
import { BoraErrorCodes, type RuntimeErrorInfo } from '../../src/shared/protocol';

describe('runSafeAsync: one explicit answer for each way a handler can fail', () => {
	const logged: string[] = [];
	const log = { error: (message: string) => logged.push(message) };
	beforeEach(() => logged.splice(0));

	it('an unexpected error answers the harmless default when the handler chose `answer`, and is logged with its context', async () => {
		const result = await runSafeAsync(log, async () => { throw new Error('boom'); }, { answer: [] as string[] }, 'Error while listing', new CancellationTokenSource().token);
		assert.deepEqual(result, []);
		assert.equal(logged.length, 1);
		assert.match(logged[0]!, /^Error while listing: Error: boom/);
	});

	it('an unexpected error becomes a RuntimeError the client shows when the handler chose `fail`', async () => {
		const failure = await runSafeAsync(log, async () => { throw new Error('disk on fire'); }, { fail: { message: 'The download failed', action: 'Try again.' } }, 'Error while downloading', new CancellationTokenSource().token)
			.then(() => undefined, (error: unknown) => error);
		assert.ok(failure instanceof ResponseError);
		assert.equal(failure.code, BoraErrorCodes.unavailable);
		assert.deepEqual(failure.data as RuntimeErrorInfo, { code: 'internal', message: 'The download failed: disk on fire', action: 'Try again.' });
		assert.equal(logged.length, 1);
	});

	it('a RuntimeError keeps its own code and action whatever the handler chose, and is not logged as unexpected', async () => {
		const info: RuntimeErrorInfo = { code: 'noModel', message: 'No model is configured.', action: 'Pick one.' };
		const failure = await runSafeAsync(log, async () => { throw new RuntimeError(info); }, { answer: null }, 'Error', new CancellationTokenSource().token)
			.then(() => undefined, (error: unknown) => error);
		assert.ok(failure instanceof ResponseError);
		assert.deepEqual(failure.data, info);
		assert.deepEqual(logged, []);
	});

	it('cancellation answers RequestCancelled and aborts the signal the work got', async () => {
		const source = new CancellationTokenSource();
		let aborted = false;
		const running = runSafeAsync(log, signal => new Promise<string>((_, reject) => signal.addEventListener('abort', () => {
			aborted = true;
			reject(signal.reason);
		})), { answer: 'default' }, 'Error', source.token);
		await new Promise(resolve => setImmediate(resolve));
		source.cancel();
		const failure = await running.then(() => undefined, (error: unknown) => error);
		assert.ok(failure instanceof ResponseError);
		assert.equal(failure.code, LSPErrorCodes.RequestCancelled);
		assert.ok(aborted);
		assert.deepEqual(logged, []);
	});
});
