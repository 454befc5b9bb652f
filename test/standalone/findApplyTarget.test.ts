import assert from 'node:assert/strict';
import { findApplyTarget } from '../../src/extension/chat/findApplyTarget';

/** `|` in `file` marks the cursor; returns the file after applying `code` where Apply would put it. */
const apply = (file: string, code: string) => {
	const cursor = file.indexOf('|');
	const text = file.replace('|', '');
	const target = findApplyTarget({ text, cursor, code });
	return { target, result: text.slice(0, target.start) + target.code + text.slice(target.end) };
};

describe('where Apply puts code when nothing is selected', () => {
	it('a function of the same name is replaced, the rest of the file kept (the issue\'s add.js)', () => {
		const { target, result } = apply('// math\nfunction add(a, b) {\n}\n|\nconsole.log(add(1, 2));\n', 'function add(a, b) {\n  return a + b;\n}\n');
		assert.equal(target.kind, 'region');
		assert.equal(result, '// math\nfunction add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2));\n');
	});

	it('a one-line snippet with no matching declaration goes in at the cursor, never over the whole file', () => {
		const file = 'const x = 1;\n|\nconst y = 2;\n';
		const { target, result } = apply(file, 'console.log(x + y);');
		assert.deepEqual([target.kind, target.start, target.end], ['cursor', 13, 13]);
		assert.equal(result, 'const x = 1;\nconsole.log(x + y);\nconst y = 2;\n');
		assert.equal(apply('|', 'let a = 1;').result, 'let a = 1;', 'an empty file just gets the code');
	});

	it('a method is replaced inside its class and re-indented; braces in strings and comments do not end it early', () => {
		const file = 'class Calc {\n\tadd(a, b) {\n\t\tconst s = "}"; // }\n\t\treturn 0;\n\t}\n\n\tsub(a, b) {\n\t\treturn a - b;\n\t}\n}\n|';
		const { target, result } = apply(file, 'add(a, b) {\n\treturn a + b;\n}');
		assert.equal(target.kind === 'region' && target.name, 'add');
		assert.equal(result, 'class Calc {\n\tadd(a, b) {\n\t\treturn a + b;\n\t}\n\n\tsub(a, b) {\n\t\treturn a - b;\n\t}\n}\n');
	});

	it('arrow functions, exported and async declarations, and Python defs match by name', () => {
		assert.equal(apply('export const twice = (x) => x * 2;\n|', 'const twice = (x) => 2 * x;').result, 'const twice = (x) => 2 * x;\n');
		assert.equal(apply('const f = x =>\n  x + 1\n|', 'const f = x => x + 2').result, 'const f = x => x + 2\n');
		assert.equal(apply('|export async function load() {\n  return 1;\n}\n', 'async function load() {\n  return 2;\n}').result, 'async function load() {\n  return 2;\n}\n');
		const python = 'def add(a, b):\n    pass\n\n\ndef sub(a, b):\n    return a - b\n|';
		assert.equal(apply(python, 'def add(a, b):\n    return a + b\n').result, 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n');
	});

	it('leading comments in the block are dropped with the region, and the declaration nearest the cursor wins', () => {
		const file = 'function f() {\n  return 1;\n}\n\nfunction f() {\n  return 2;\n|}\n';
		const { result } = apply(file, '// Fixed:\nfunction f() {\n  return 3;\n}');
		assert.equal(result, 'function f() {\n  return 1;\n}\n\nfunction f() {\n  return 3;\n}\n');
	});

	it('control flow is not a declaration, and an unclosed declaration falls back to the cursor', () => {
		assert.equal(apply('if (a) {\n}\n|', 'if (a) {\n  b();\n}').target.kind, 'cursor');
		assert.equal(apply('function add(a, b) {\n|', 'function add(a, b) {\n}').target.kind, 'cursor');
	});
});
