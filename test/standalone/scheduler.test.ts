import assert from 'node:assert/strict';
import type { Llama } from 'node-llama-cpp';
import { IdlePrefill } from '../../src/runtime/completion/IdlePrefill';
import { PreemptedError } from '../../src/runtime/errors/PreemptedError';
import type { Job } from '../../src/runtime/scheduler/Job';
import { scheduledEvaluation } from '../../src/runtime/scheduler/scheduledEvaluation';
import { Scheduler } from '../../src/runtime/scheduler/Scheduler';

/** A fake token generator that counts the tokens it was asked for (as node-llama-cpp evaluates only on `next()`). */
function fakeTokens(count: number, evaluated: number[]): AsyncGenerator<number, void, unknown> {
	return (async function* () {
		for (let token = 0; token < count; token++) {
			evaluated.push(token);
			yield token;
		}
	})();
}

/** Lets every pending promise callback and I/O turn run once; no clock involved. */
const turn = () => new Promise<void>(resolve => setImmediate(resolve));

/** Whether `promise` has settled, read after a {@link turn}. */
function track(promise: Promise<unknown>): { readonly settled: boolean } {
	const state = { settled: false };
	promise.then(() => { state.settled = true; }, () => { state.settled = true; });
	return state;
}

const preemptedBy = (lane: string, clientId?: string) => (error: unknown) =>
	error instanceof PreemptedError && error.by.lane === lane && error.by.clientId === clientId;

describe('scheduler', () => {
	it('a completion pre-empts a chat at the next token, and the chat resumes after it', async () => {
		const scheduler = new Scheduler();
		const chat = scheduler.enter({ lane: 'chat', clientId: 'a' });
		const evaluated: number[] = [];
		const answer = scheduledEvaluation(fakeTokens(5, evaluated), { inputTokens: 1, job: chat });
		assert.equal((await answer.next()).value, 0);
		assert.equal((await answer.next()).value, 1);

		const completion = scheduler.enter({ lane: 'interactive', clientId: 'a' });
		const third = answer.next();
		const waiting = track(third);
		await turn();
		assert.equal(waiting.settled, false, 'the next token waits');
		assert.deepEqual(evaluated, [0, 1], 'and is not evaluated meanwhile');
		assert.equal(chat.phase, 'paused');
		assert.deepEqual(scheduler.jobs.map(job => [job.lane, job.phase]), [['interactive', 'waiting'], ['chat', 'paused']]);

		completion.end();
		assert.equal((await third).value, 2, 'resumed once the completion ended');
		const rest: number[] = [];
		for await (const token of { [Symbol.asyncIterator]: () => answer }) {
			rest.push(token);
		}
		assert.deepEqual(rest, [3, 4]);
		assert.equal(chat.signal.aborted, false, 'a chat pauses, it is never stopped');
		chat.end();
	});

	it('a chat also pauses for speculative work, and Stop ends a paused chat at once', async () => {
		const scheduler = new Scheduler();
		const stop = new AbortController();
		const chat = scheduler.enter({ lane: 'chat', signal: stop.signal });
		const answer = scheduledEvaluation(fakeTokens(3, []), { inputTokens: 1, job: chat });
		await answer.next();
		const prefill = scheduler.enter({ lane: 'speculative' });
		const next = answer.next();
		await turn();
		assert.equal(chat.phase, 'paused');
		stop.abort(new Error('Stop'));
		await assert.rejects(next, /Stop/);
		prefill.end();
		chat.end();
	});

	it('a paused chat holds no thread phase, so it neither caps nor lifts the completion\'s threads', async () => {
		const llama = { maxThreads: 4 } as Llama;
		const scheduler = new Scheduler();
		const chat = scheduler.enter({ lane: 'chat' });
		const answer = scheduledEvaluation(fakeTokens(3, []), { inputTokens: 1, job: chat, generationThreads: { llama, threads: 3 } });
		await answer.next();
		assert.equal(llama.maxThreads, 3, 'generating');
		const completion = scheduler.enter({ lane: 'interactive' });
		const next = answer.next();
		await turn();
		assert.equal(llama.maxThreads, 4, 'paused: the cap is what the completion asks for');
		completion.end();
		await next;
		assert.equal(llama.maxThreads, 3, 'generating again');
		await answer.return();
		assert.equal(llama.maxThreads, 4);
		chat.end();
	});

	it('speculative work (a prefetch or prefill) yields to a real request, arriving before or after it', () => {
		const scheduler = new Scheduler();
		const prefetch = scheduler.enter({ lane: 'speculative', clientId: 'b' });
		const chat = scheduler.enter({ lane: 'chat', clientId: 'b' });
		const other = scheduler.enter({ lane: 'speculative', clientId: 'b' });
		assert.equal(prefetch.signal.aborted, false, 'neither a chat nor other speculative work stops it');
		const request = scheduler.enter({ lane: 'interactive', clientId: 'a' });
		assert.ok(preemptedBy('interactive', 'a')(prefetch.signal.reason), String(prefetch.signal.reason));
		assert.equal((prefetch.signal.reason as PreemptedError).lane, 'speculative');
		assert.ok(other.signal.aborted);
		assert.equal(chat.signal.aborted, false);
		assert.equal(request.signal.aborted, false);
		const late = scheduler.enter({ lane: 'speculative' });
		assert.ok(preemptedBy('interactive', 'a')(late.signal.reason), 'a prefetch asked for while a request is pending stops at once');
		for (const job of [prefetch, chat, other, request, late]) {
			job.end();
		}
		assert.equal(scheduler.enter({ lane: 'speculative' }).signal.aborted, false, 'once the request ended, speculative work runs');
	});

	it('background work stops when any request comes: a completion, a prefetch or a chat', () => {
		for (const lane of ['interactive', 'speculative', 'chat'] as const) {
			const scheduler = new Scheduler();
			const forecast = scheduler.enter({ lane: 'background' });
			const request = scheduler.enter({ lane, clientId: 'w' });
			assert.ok(preemptedBy(lane, 'w')(forecast.signal.reason), `${lane}: ${String(forecast.signal.reason)}`);
			assert.ok(preemptedBy(lane, 'w')(scheduler.enter({ lane: 'background' }).signal.reason), `${lane}: and background work waiting behind it stops at once`);
			request.end();
		}
	});

	it('carries the client key, and clients have equal priority', async () => {
		const scheduler = new Scheduler();
		const first = scheduler.enter({ lane: 'interactive', clientId: 'window-1' });
		const second = scheduler.enter({ lane: 'interactive', clientId: 'window-2' });
		const chat = scheduler.enter({ lane: 'chat', clientId: 'window-2' });
		assert.deepEqual(scheduler.jobs.map(job => [job.lane, job.clientId]), [['interactive', 'window-1'], ['interactive', 'window-2'], ['chat', 'window-2']]);
		assert.equal(first.signal.aborted || second.signal.aborted, false, 'one client\'s request does not stop another\'s');
		assert.equal(chat.mustPause, true);
		second.end();
		assert.equal(chat.mustPause, true, 'any client\'s completion pauses any chat');
		first.end();
		assert.equal(chat.mustPause, false);
		await chat.boundary();
		chat.end();
		assert.deepEqual(scheduler.jobs, []);
	});

	it("the focused client's completion goes first: another client's waits at its next token, and the chat still pauses for both", async () => {
		const scheduler = new Scheduler();
		scheduler.setFocusedClient('w1');
		const other = scheduler.enter({ lane: 'interactive', clientId: 'w2' });
		const chat = scheduler.enter({ lane: 'chat', clientId: 'w3' });
		const evaluated: number[] = [];
		const otherTokens = scheduledEvaluation(fakeTokens(3, evaluated), { inputTokens: 1, job: other });
		assert.equal((await otherTokens.next()).value, 0, 'alone, the unfocused window generates');
		assert.equal(other.mustPause, false);

		const focused = scheduler.enter({ lane: 'interactive', clientId: 'w1' });
		assert.equal(other.mustPause, true, "another window's completion waits while the focused one's is active");
		assert.equal(focused.mustPause, false);
		assert.equal(focused.signal.aborted || other.signal.aborted, false, 'it waits, it is never stopped');
		const next = otherTokens.next();
		const waiting = track(next);
		await turn();
		assert.equal(waiting.settled, false);
		assert.deepEqual(evaluated, [0], 'no token of the unfocused window meanwhile');
		assert.equal(other.phase, 'paused');
		assert.equal(chat.mustPause, true);

		focused.end();
		assert.equal((await next).value, 1, 'resumed once the focused completion ended');
		assert.equal(chat.mustPause, true, 'the chat still waits for the other completion');

		// The focus moves to w2: a completion of w1 now waits for w2's.
		scheduler.setFocusedClient('w2');
		const formerFocus = scheduler.enter({ lane: 'interactive', clientId: 'w1' });
		assert.equal(formerFocus.mustPause, true);
		scheduler.setFocusedClient(undefined);
		assert.equal(formerFocus.mustPause, false, 'without a focused window, clients are equal');
		formerFocus.end();
		other.end();
		assert.equal(chat.mustPause, false);
		chat.end();
		await otherTokens.return(undefined);
		assert.deepEqual(scheduler.jobs, []);
	});

	it('runs a job once quiet: it waits while work of its lane or higher is active, not for lower work', async () => {
		const scheduler = new Scheduler();
		const chat = scheduler.enter({ lane: 'chat' });
		await scheduler.whenQuiet('speculative', 0);
		const request = scheduler.enter({ lane: 'interactive' });
		let ran: readonly string[] | undefined;
		const prefill = scheduler.runWhenQuiet({ lane: 'speculative', quietMs: 0 }, async job => {
			ran = scheduler.jobs.map(other => other.lane);
			return job.signal.aborted;
		});
		await turn();
		assert.equal(ran, undefined, 'not while a request is active');
		request.end();
		assert.equal(await prefill, false);
		assert.deepEqual(ran, ['speculative', 'chat']);
		chat.end();
	});

	it('the idle prefill runs again after a request stopped it, once the request has ended', async () => {
		const scheduler = new Scheduler();
		const starts: Array<readonly string[]> = [];
		let request: Job | undefined;
		const idle = new IdlePrefill({
			idleMs: 0,
			scheduler,
			clientId: 'w',
			prefill: async signal => {
				starts.push(scheduler.jobs.map(job => `${job.lane}:${job.clientId}`));
				if (starts.length > 1) {
					return true;
				}
				request = scheduler.enter({ lane: 'interactive', clientId: 'w' });
				assert.ok(preemptedBy('interactive', 'w')(signal.reason));
				setImmediate(() => request?.end());
				return false;
			},
		});
		idle.markChanged();
		await idle.whenSettled();
		assert.deepEqual(starts, [['speculative:w'], ['speculative:w']], 'the second run began with the request gone');
		assert.equal(request?.hasEnded, true);
		idle.dispose();
	});
});
