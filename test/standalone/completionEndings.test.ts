import assert from 'node:assert/strict';
import { applyEnding, planEnding, repeatsSuffix } from '../../src/runtime/completion/endings';

const budget = { timeBudgetMs: 1500 };

describe('completion endings', () => {
	it('is single-line mid-line and multi-line on an empty line or after a block opener', () => {
		assert.equal(planEnding('const x = foo(', 'bar);\n').multiline, false);
		assert.equal(planEnding('  const x = ', '\n').multiline, false);
		assert.deepEqual(planEnding('function f() {', '\n}\n'), { multiline: true, minIndent: 1 });
		assert.deepEqual(planEnding('function f() {\n  ', '\n}\n'), { multiline: true, minIndent: 1 });
		assert.deepEqual(planEnding('if x:\n    y = 1\n    ', '\n'), { multiline: true, minIndent: 4 });
		assert.equal(planEnding('function add(a, b) {', '}').multiline, true, 'only a closer follows on the line');
	});

	it('keeps a single-line suggestion to its first line', () => {
		const plan = planEnding('const x = ', '\n');
		assert.deepEqual(applyEnding('1;\nconst y = 2;', plan, 0, budget), { text: '1;', done: true });
		assert.deepEqual(applyEnding('1;', plan, 0, budget), { text: '1;', done: false });
	});

	it('stops when a line dedents below the cursor block', () => {
		const plan = planEnding('function f() {\n', '');
		assert.deepEqual(applyEnding('  const a = 1;\n  return a;\n}\n\nfunction g() {', plan, 0, budget), { text: '  const a = 1;\n  return a;', done: true });
		assert.deepEqual(applyEnding('  const a = 1;\n  if (a) {\n    return a;\n  ', plan, 0, budget).done, false);
	});

	it('ends at a newline once the time budget is spent', () => {
		const plan = planEnding('function f() {\n', '');
		assert.deepEqual(applyEnding('  a();\n  b', plan, 2000, budget), { text: '  a();', done: true });
		assert.deepEqual(applyEnding('  a();\n  b', plan, 100, budget).done, false);
	});

	it('recognises suggestions that repeat the suffix or the following lines', () => {
		assert.equal(repeatsSuffix('}', '\n}\n'), true);
		assert.equal(repeatsSuffix('  return a;', '\n  return a;\n}'), true);
		assert.equal(repeatsSuffix(' return a + b;', '}'), false);
		assert.equal(repeatsSuffix('', '}'), false);
	});
});
