import assert from 'node:assert/strict';
import { ExtraContextRing, lineSimilarity, type RingChunkInput } from '../../src/runtime/completion/ExtraContextRing';
import { IdlePrefill } from '../../src/runtime/completion/IdlePrefill';
import { changedLines, windowAround } from '../../src/runtime/completion/extraContext/changedLines';
import { importLanguageOf, relativeImports } from '../../src/runtime/completion/extraContext/relativeImports';
import { WorkspaceNames } from '../../src/runtime/completion/extraContext/WorkspaceNames';

/** `count` distinct lines, `tag` making them unique to one file. */
const linesOf = (tag: string, count: number, from = 0) => Array.from({ length: count }, (_, i) => `const ${tag}${from + i} = ${from + i};`);
const chunk = (key: string, startLine: number, lines: readonly string[]): RingChunkInput => ({ key, name: key, startLine, text: lines.join('\n') });
const summary = (ring: ExtraContextRing) => ring.chunks.map(c => `${c.key}@${c.startLine}+${c.lineCount}`);

describe('extra-context ring', () => {
	it('keeps chunks oldest first and appends new ones, so the laid-out beginning does not move', () => {
		const ring = new ExtraContextRing();
		ring.add(chunk('a', 0, linesOf('a', 5)));
		ring.add(chunk('b', 0, linesOf('b', 5)));
		const before = ring.chunks.slice();
		ring.add(chunk('c', 0, linesOf('c', 5)));
		assert.deepEqual(summary(ring), ['a@0+5', 'b@0+5', 'c@0+5']);
		assert.deepEqual(ring.chunks.slice(0, 2), before, 'the older chunks are the same objects, in the same place');
	});

	it('adding the same text at the same place changes nothing', () => {
		const ring = new ExtraContextRing();
		assert.equal(ring.add(chunk('a', 0, linesOf('a', 5))), true);
		ring.add(chunk('b', 0, linesOf('b', 5)));
		const version = ring.version;
		assert.equal(ring.add(chunk('a', 0, linesOf('a', 5))), false);
		assert.equal(ring.version, version);
		assert.deepEqual(summary(ring), ['a@0+5', 'b@0+5']);
	});

	it('holds at most maxChunks chunks of at most maxLines lines, evicting the oldest', () => {
		const ring = new ExtraContextRing({ maxChunks: 3, maxLines: 4, maxTokens: 100_000 });
		for (const key of ['a', 'b', 'c', 'd', 'e']) {
			ring.add(chunk(key, 0, linesOf(key, 10)));
		}
		assert.deepEqual(summary(ring), ['c@0+4', 'd@0+4', 'e@0+4']);
		assert.equal(ring.chunks[0]!.text, `${linesOf('c', 4).join('\n')}\n`);
	});

	it('fits the token budget, evicting the oldest, and refuses a chunk larger than the whole budget', () => {
		const ring = new ExtraContextRing({ maxTokens: 100, countTokens: c => c.text.split('\n').length * 10 });
		ring.add(chunk('a', 0, linesOf('a', 4))); // 50 tokens (4 lines and the final newline's empty piece)
		ring.add(chunk('b', 0, linesOf('b', 4)));
		assert.equal(ring.totalTokens, 100);
		ring.add(chunk('c', 0, linesOf('c', 2)));
		assert.deepEqual(summary(ring), ['b@0+4', 'c@0+2']);
		assert.ok(ring.totalTokens <= 100);
		assert.equal(ring.add(chunk('d', 0, linesOf('d', 20))), false);
		assert.deepEqual(summary(ring), ['b@0+4', 'c@0+2']);
	});

	it('evicts an older near-duplicate (line Jaccard above 0.9) when a new chunk comes', () => {
		const ring = new ExtraContextRing();
		const lines = linesOf('x', 20);
		ring.add(chunk('a', 0, lines));
		ring.add(chunk('b', 0, linesOf('b', 5)));
		// The same 20 lines copied into another file, one line changed: 19 of 21 distinct lines shared.
		ring.add(chunk('c', 40, [...lines.slice(0, 19), 'const changed = 1;']));
		assert.ok(lineSimilarity(lines.join('\n'), ring.chunks.at(-1)!.text) > 0.9);
		assert.deepEqual(summary(ring), ['b@0+5', 'c@40+20']);
		// Only a little in common: both stay.
		ring.add(chunk('d', 0, [...lines.slice(0, 10), ...linesOf('d', 10)]));
		assert.deepEqual(summary(ring), ['b@0+5', 'c@40+20', 'd@0+20']);
	});

	it('a new chunk of a file replaces the chunks of that file it overlaps, and goes to the end', () => {
		const ring = new ExtraContextRing();
		ring.add(chunk('a', 0, linesOf('a', 10)));
		ring.add(chunk('a', 50, linesOf('a', 10, 50)));
		ring.add(chunk('b', 0, linesOf('b', 5)));
		ring.add(chunk('a', 5, linesOf('a', 10, 5).map(line => line.replace('=', '= 1 +'))));
		assert.deepEqual(summary(ring), ['a@50+10', 'b@0+5', 'a@5+10']);
		assert.ok(!ring.chunks.some(c => c.text.includes('const a0 = 0;')), 'no old text of the replaced range is left');
	});

	it('an edit drops every chunk it touches and moves the chunks below it, so no chunk is ever stale', () => {
		const ring = new ExtraContextRing();
		ring.add(chunk('a', 0, linesOf('a', 10)));
		ring.add(chunk('a', 20, linesOf('a', 10, 20)));
		ring.add(chunk('a', 40, linesOf('a', 10, 40)));
		ring.add(chunk('b', 20, linesOf('b', 10, 20)));
		const moved = ring.chunks[2]!;
		// Lines 22–23 of a became five lines.
		assert.equal(ring.applyEdit('a', { startLine: 22, oldEndLine: 24, newEndLine: 27 }), true);
		assert.deepEqual(summary(ring), ['a@0+10', 'a@43+10', 'b@20+10']);
		assert.equal(ring.chunks[1]!.text, moved.text, 'a moved chunk keeps its text');
		// A pure insertion just above a chunk changes its place, not its text.
		const version = ring.version;
		assert.equal(ring.applyEdit('a', { startLine: 43, oldEndLine: 43, newEndLine: 45 }), false);
		assert.equal(ring.version, version, 'moving alone keeps the prompt (and its cache) as it was');
		assert.deepEqual(summary(ring), ['a@0+10', 'a@45+10', 'b@20+10']);
	});

	it('drops chunks whose text is no longer where it was (a file changed while it was closed)', () => {
		const ring = new ExtraContextRing();
		const lines = linesOf('a', 30);
		ring.add(chunk('a', 0, lines.slice(0, 10)));
		ring.add(chunk('a', 20, lines.slice(20, 30)));
		const changed = [...lines];
		changed[25] = 'const a25 = "changed";';
		assert.equal(ring.dropMismatched('a', changed), true);
		assert.deepEqual(summary(ring), ['a@0+10']);
		assert.equal(ring.dropMismatched('a', changed), false);
	});

	it('leaves the file being completed out: its own text is in the prompt already', () => {
		const ring = new ExtraContextRing();
		ring.add(chunk('a', 0, linesOf('a', 3)));
		ring.add(chunk('b', 0, linesOf('b', 3)));
		ring.add(chunk('c', 0, linesOf('c', 3)));
		assert.deepEqual(ring.chunksExcept('b').map(c => c.key), ['a', 'c']);
		assert.equal(ring.coveredLines('a', 1, 10), 2);
	});
});

describe('extra-context sources', () => {
	it('finds the changed lines between two versions of a text', () => {
		assert.equal(changedLines(['a', 'b', 'c'], ['a', 'b', 'c']), undefined);
		assert.deepEqual(changedLines(['a', 'b', 'c'], ['a', 'B', 'c']), { startLine: 1, oldEndLine: 2, newEndLine: 2 });
		assert.deepEqual(changedLines(['a', 'c'], ['a', 'b1', 'b2', 'c']), { startLine: 1, oldEndLine: 1, newEndLine: 3 });
		assert.deepEqual(changedLines(['a', 'b', 'c', 'd'], ['a', 'd']), { startLine: 1, oldEndLine: 3, newEndLine: 1 });
		// Repeated lines: the common end is not counted twice.
		assert.deepEqual(changedLines(['x', 'x'], ['x', 'x', 'x']), { startLine: 2, oldEndLine: 2, newEndLine: 3 });
	});

	it('centres a window of at most maxLines on a change, inside the text', () => {
		assert.deepEqual(windowAround(100, 101, 1000, 64), { start: 69, end: 133 });
		assert.deepEqual(windowAround(2, 3, 1000, 64), { start: 0, end: 64 });
		assert.deepEqual(windowAround(995, 996, 1000, 64), { start: 936, end: 1000 });
		assert.deepEqual(windowAround(3, 5, 10, 64), { start: 0, end: 10 });
		assert.deepEqual(windowAround(10, 200, 1000, 64), { start: 10, end: 74 });
	});

	it('reads relative JavaScript/TypeScript imports with the places the file may be', () => {
		const text = [
			"import { a } from './a.js';",
			"import type { B } from '../lib/b';",
			"import './side-effect';",
			"export * from './c';",
			"const d = require('./d.cjs');",
			"import fs from 'node:fs';",
			"import { a as again } from './a.js';",
		].join('\n');
		const found = relativeImports(text, 'javascript');
		assert.deepEqual(found.map(candidates => candidates[0]), ['./a.js', '../lib/b.ts', './side-effect.ts', './c.ts', './d.cjs']);
		assert.deepEqual(found[0]!.slice(0, 2), ['./a.js', './a.ts'], 'TypeScript ESM names the .js output of a .ts source');
		assert.ok(found[1]!.includes('../lib/b/index.ts'));
	});

	it('reads relative Python imports, and plain imports of modules next to the file', () => {
		const text = 'from .models import User\nfrom ..core.db import session\nfrom . import views, forms\nimport helpers\n';
		assert.deepEqual(relativeImports(text, 'python'), [
			['./models.py', './models/__init__.py'],
			['../core/db.py', '../core/db/__init__.py'],
			['./views.py', './views/__init__.py'],
			['./forms.py', './forms/__init__.py'],
			['./helpers.py'],
		]);
		assert.equal(importLanguageOf('typescriptreact', 'file:///a.tsx'), 'javascript');
		assert.equal(importLanguageOf('plaintext', 'file:///a.txt'), undefined);
	});

	it('names files relative to the workspace folder, and the repository after it', () => {
		const names = new WorkspaceNames();
		assert.equal(names.repoName, undefined);
		assert.equal(names.nameOf('file:///elsewhere/my%20file.ts'), 'my file.ts');
		names.setFrom({ rootUri: 'file:///home/me/bora', workspaceFolders: [{ uri: 'file:///home/me/bora', name: 'bora' }] });
		assert.equal(names.repoName, 'bora');
		assert.equal(names.nameOf('file:///home/me/bora/src/a.ts'), 'src/a.ts');
		assert.equal(names.nameOf('file:///home/me/borax/a.ts'), 'a.ts', 'a sibling folder with a longer name is not inside');
	});
});

describe('idle prefill scheduling', () => {
	it('runs once after a change, runs again when a request stopped it, and not at all without a change', async () => {
		const runs: string[] = [];
		let outcomes = [false, true];
		const idle = new IdlePrefill({ idleMs: 0, prefill: async () => { runs.push('prefill'); return outcomes.shift() ?? true; } });
		await idle.whenSettled();
		assert.deepEqual(runs, [], 'nothing changed, nothing to evaluate');
		idle.markChanged();
		idle.noteRequest();
		await idle.whenSettled();
		assert.deepEqual(runs, ['prefill', 'prefill'], 'stopped by a request the first time, done the second');
		outcomes = [true];
		idle.markChanged();
		idle.markChanged();
		await idle.whenSettled();
		assert.equal(runs.length, 3, 'changes close together make one prefill');
		idle.dispose();
	});
});
