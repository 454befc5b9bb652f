import assert from 'node:assert/strict';
import { createLlama, type LlamaHandle } from '../../src/runtime/loading/createLlama';
import { ensureFixtureModel } from '../models/fixtures';

/**
 * node-llama-cpp's addon has one native logger per process, and a second Llama used to lose it a turn
 * later (llama.cpp's messages then went to stdout: a `--stdio` runtime's LSP channel). A runtime
 * makes a second one whenever bora.threads or bora.gpu changes, or a shared runtime serves windows
 * with different ones.
 */
describe('llama.cpp log forwarding with more than one Llama in the process', function () {
	this.timeout(120_000);

	it('the newest Llama still receives llama.cpp\'s own messages, at the level it asked for', async () => {
		// The model first: generating it starts a Llama of its own.
		const modelPath = await ensureFixtureModel('qwenFim');
		const first = await createLlama({ gpu: 'off', threads: 1 });
		const lines: string[] = [];
		let second: LlamaHandle | undefined;
		try {
			second = await createLlama({ gpu: 'off', threads: 2, llamaLogLevel: 'debug', logger: { info: line => lines.push(line), warn: line => lines.push(line), error: line => lines.push(line) } });
			const model = await second.llama.loadModel({ modelPath });
			await model.dispose();
			// The messages reach JavaScript a little after the load; wait for the load's last one.
			for (let turn = 0; turn < 100 && !lines.some(line => / model buffer size = /.test(line)); turn++) {
				await new Promise(resolve => setTimeout(resolve, 50));
			}
			assert.ok(lines.some(line => /^\[llama\.cpp\] .*loaded meta data with /.test(line)), `llama.cpp's load log reached the second Llama's logger:\n${lines.slice(0, 5).join('\n')}`);
		} finally {
			await second?.llama.dispose();
			await first.llama.dispose();
		}
	});
});
