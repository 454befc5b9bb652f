import assert from 'node:assert/strict';
import type { Llama } from 'node-llama-cpp';
import { scheduledEvaluation, smallDecodeTokens } from '../../src/runtime/scheduler/scheduledEvaluation';
import { ThreadPhases } from '../../src/runtime/scheduler/ThreadPhases';
import { generationThreadsFor } from '../../src/runtime/util/generationThreads';

/** Only `maxThreads` is read and written; a plain object stands in for the Llama instance. */
const fakeLlama = (maxThreads: number) => ({ maxThreads }) as Llama;

async function* tokens(count: number, seen: number[], llama: Llama): AsyncGenerator<number, void, unknown> {
	for (let i = 0; i < count; i++) {
		seen.push(llama.maxThreads);
		yield i;
	}
}

describe('thread phases', () => {
	it('one core fewer while generating, at least one', () => {
		assert.deepEqual([1, 2, 4, 16].map(generationThreadsFor), [1, 1, 3, 15]);
	});

	it('generation lowers the cap, a prompt anywhere lifts it, and the cap comes back when all end', () => {
		const llama = fakeLlama(4);
		const phases = ThreadPhases.of(llama);
		assert.equal(ThreadPhases.of(llama), phases, 'one per Llama');
		const chat = phases.generating(3);
		assert.equal(llama.maxThreads, 3);
		const completion = phases.generating(2);
		assert.equal(llama.maxThreads, 2, 'the lowest asked for');
		const prompt = phases.evaluatingPrompt();
		assert.equal(llama.maxThreads, 4, 'a prompt being evaluated gets every thread');
		prompt();
		prompt();
		assert.equal(llama.maxThreads, 2, 'ending twice ends once');
		completion();
		assert.equal(llama.maxThreads, 3);
		chat();
		assert.equal(llama.maxThreads, 4);
	});

	it('a generator runs its first step as a prompt and the rest as generation, and ends its phase when stopped early', async () => {
		const llama = fakeLlama(2);
		const seen: number[] = [];
		for await (const token of scheduledEvaluation(tokens(5, seen, llama), { inputTokens: 100, generationThreads: { llama, threads: 1 } })) {
			if (token === 3) {
				break;
			}
		}
		assert.deepEqual(seen, [2, 1, 1, 1]);
		assert.equal(llama.maxThreads, 2);
	});

	it('a keystroke-sized input generates from its first step', async () => {
		const llama = fakeLlama(2);
		const seen: number[] = [];
		for await (const _token of scheduledEvaluation(tokens(3, seen, llama), { inputTokens: smallDecodeTokens, generationThreads: { llama, threads: 1 } })) {
			// consume
		}
		assert.deepEqual(seen, [1, 1, 1]);
		assert.equal(llama.maxThreads, 2);
	});
});
