import assert from 'node:assert/strict';
import { llamaVscodeInfill } from '../support/llamaVscodeInfill';

describe('llama.vscode /infill request layout (the llama-server baseline of the benchmarks)', () => {
	const lines = Array.from({ length: 400 }, (_, i) => `line ${i}`);

	it('256 whole lines before the cursor line, its text before the cursor as prompt, its rest and 64 lines after as suffix', () => {
		const text = lines.join('\n');
		const offset = text.indexOf('line 300') + 'line 3'.length;
		const body = llamaVscodeInfill({ text, offset });
		assert.equal(body.input_prefix, lines.slice(300 - 256, 300).join('\n') + '\n');
		assert.equal(body.prompt, 'line 3');
		assert.equal(body.input_suffix, '00\n' + lines.slice(301, 365).join('\n') + '\n');
		assert.deepEqual(body.input_extra, []);
		assert.equal(body.n_predict, 16);
		assert.equal(body.cache_prompt, true);
	});

	it('at the first line the prefix is one line break; at the last line the suffix is the line rest and two, as llama.vscode joins an empty line list', () => {
		const text = lines.slice(0, 3).join('\n');
		assert.deepEqual(
			[llamaVscodeInfill({ text, offset: 4 }).input_prefix, llamaVscodeInfill({ text, offset: 4 }).prompt],
			['\n', 'line'],
		);
		const last = llamaVscodeInfill({ text, offset: text.length - 1 });
		assert.deepEqual([last.prompt, last.input_suffix, last.input_prefix], ['line ', '2\n\n', 'line 0\nline 1\n']);
	});
});
