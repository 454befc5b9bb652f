import assert from 'node:assert/strict';
import { serviceUnderTest, suggestionsOf, type ServiceUnderTest } from '../support/completionServiceSetup';

const uri = 'file:///ws/loop.js';

/** Where suggestions come from, on a fake engine: the typed-through cache, a joined generation, a new one, a prefetch. */
describe('completion service: typed-through cache, join, abort and prefetch', () => {
	let under: ServiceUnderTest;
	afterEach(() => under.service.dispose());

	it('typing the start of a suggestion is served the rest from the cache, with no model call', async () => {
		under = serviceUnderTest();
		under.backend.answer = () => ' return a + b;';
		assert.deepEqual(suggestionsOf(await under.ask(uri, 'function add(a, b) {|}')), [' return a + b;']);
		await under.backend.generation(2);
		assert.deepEqual(suggestionsOf(await under.ask(uri, 'function add(a, b) { ret|}')), ['urn a + b;']);
		assert.equal(under.backend.generations.length, 2, 'the request and the prefetch after it');
		assert.ok(under.logs.includes('completion loop.js:1: served from the suggestion cache, no model call'), under.logs.join('\n'));
		// An edit below the cursor: the same keystrokes no longer match what was remembered.
		const edited = under.ask(uri, 'function add(a, b) { ret|}\n// edited');
		assert.equal((await under.backend.generation(3)).request.suffix, '}\n// edited');
		await edited;
	});

	it('joins the generation running for the text before, while its output agrees with what was typed', async () => {
		under = serviceUnderTest();
		const cancel = new AbortController();
		const first = under.ask(uri, 'loop:|', { signal: cancel.signal });
		const generation = await under.backend.generation(1);
		generation.stream(' tick tock');
		const second = under.ask(uri, 'loop: tick|');
		// The editor cancels the first request on the keystroke; the generation goes on for the second.
		cancel.abort();
		await assert.rejects(first, (error: Error) => error.name === 'AbortError');
		generation.finish({ text: ' tick tock tick' });
		assert.deepEqual(suggestionsOf(await second), [' tock tick']);
		assert.ok(under.logs.includes('completion loop.js:1: joined the generation already running for it, no new model call'), under.logs.join('\n'));
		assert.equal(under.stats.length, 1, 'one generation, reported once');
		assert.deepEqual({ uri: under.stats[0]!.uri, line: under.stats[0]!.line, generated: under.stats[0]!.generatedTokens }, { uri, line: 0, generated: 4 });
		// Then the prefetch for the text after accepting it.
		assert.equal((await under.backend.generation(2)).request.prefix, 'loop: tick tock tick');
	});

	it('a request that does not continue the running generation aborts it at once', async () => {
		under = serviceUnderTest();
		const first = under.ask(uri, 'loop:|');
		const generation = await under.backend.generation(1);
		generation.stream(' tick');
		const other = under.ask(uri, 'loop: tack|');
		await generation.aborted;
		assert.equal(suggestionsOf(await first), 'superseded');
		(await under.backend.generation(2)).finish({ text: ' tock' });
		assert.deepEqual(suggestionsOf(await other), [' tock']);
	});

	it('a generation nobody waits for is aborted once the grace period has run out', async () => {
		under = serviceUnderTest({}, { graceMs: 0 });
		const cancel = new AbortController();
		const request = under.ask(uri, 'loop:|', { signal: cancel.signal });
		const generation = await under.backend.generation(1);
		cancel.abort();
		await assert.rejects(request, (error: Error) => error.name === 'AbortError');
		await generation.aborted;
		assert.deepEqual(under.stats, []);
	});

	it('after a suggestion is shown, prefetches the one after accepting it; a request there joins it, and a prefetch reports no stats', async () => {
		under = serviceUnderTest();
		const shown = under.ask(uri, 'loop:|');
		(await under.backend.generation(1)).finish({ text: ' tick' });
		assert.deepEqual(suggestionsOf(await shown), [' tick']);
		const prefetch = await under.backend.generation(2);
		assert.deepEqual({ prefix: prefetch.request.prefix, candidates: prefetch.request.candidates }, { prefix: 'loop: tick', candidates: 1 });
		const accepted = under.ask(uri, 'loop: tick|');
		prefetch.finish({ text: ' tock' });
		assert.deepEqual(suggestionsOf(await accepted), [' tock']);
		assert.ok(under.logs.includes('completion loop.js:1: joined the prefetch already running for it, no new model call'), under.logs.join('\n'));
		assert.ok(under.logs.some(line => line.startsWith('completion loop.js:1: prefetched for after acceptance, ')), under.logs.join('\n'));
		assert.equal(under.stats.length, 1, 'only the generation the user asked for');
	});

	it('computes the best alone while typing and every candidate when asked; an entry with fewer cannot answer a request for more', async () => {
		under = serviceUnderTest({ completionCandidates: 3 });
		under.backend.answer = () => ' return 1;';
		await under.ask(uri, 'f() {|}');
		await under.backend.generation(2);
		await under.ask(uri, 'f() {|}', { explicit: true });
		assert.deepEqual(under.backend.generations.map(({ request }) => [request.prefix, request.candidates]), [['f() {', 1], ['f() { return 1;', 1], ['f() {', 3]]);
		// Now the cache holds three candidates' worth for this text: both kinds of request are served from it.
		await under.ask(uri, 'f() {|}', { explicit: true });
		await under.ask(uri, 'f() { re|}');
		assert.equal(under.backend.generations.length, 3);

		under.service.configure({ completionEnabled: true, completionCandidates: 1 });
		await under.ask(uri, 'g() {|}', { explicit: true });
		assert.equal(under.backend.generations.find(({ request }) => request.prefix === 'g() {')?.request.candidates, 1, 'bora.completion.candidates 1 computes the best alone, even when asked');
	});

	it('prompts with the aligned line window and the extra context of other files', async () => {
		under = serviceUnderTest();
		under.backend.answer = () => 'x';
		const lines = Array.from({ length: 400 }, (_, i) => `line ${i}`);
		await under.ask('file:///ws/lib/a.js', 'const a = 1;\n|');
		await under.ask('file:///ws/lib/a.js', 'const a = 2;\n|');
		await under.ask('file:///ws/b.js', `${lines.slice(0, 300).join('\n')}\n|${lines.slice(300).join('\n')}`);
		// The first generation for b.js is its request's (a prefetch may follow it).
		const { request } = under.backend.generations.find(generation => generation.request.fileName === 'b.js')!;
		// 300 lines above, 256 of them wanted: the window starts at line 32, a multiple of 32.
		assert.ok(request.prefix.startsWith('line 32\n'), request.prefix.slice(0, 20));
		assert.equal(request.suffix.split('\n').length, 66, '64 lines below the cursor\'s, and the rest of its own');
		assert.deepEqual({ fileName: request.fileName, repoName: request.repoName, names: request.extraContext.map(chunk => chunk.name) }, { fileName: 'b.js', repoName: 'ws', names: ['lib/a.js'] });
	});

	it('has the extra context evaluated ahead once the user is idle', async () => {
		under = serviceUnderTest({}, { extraContext: { idleMs: 0 } });
		under.ask('file:///ws/a.js', 'const a = 1;\n|');
		await under.backend.generation(1);
		under.documents.set('file:///ws/a.js', 'const a = 2;\n');
		under.service.didChangeContent(under.documents.get('file:///ws/a.js')!);
		under.service.didChangeEditorContext({ uri: 'file:///ws/b.js' });
		// A prefill for the request's own document (which leaves its own text out) may come first; the one after the changes holds a.js's edit.
		const before = under.backend.prefills.length;
		const prefill = await under.backend.prefill(before + 1);
		assert.deepEqual({ names: prefill.extraContext.map(chunk => chunk.name), repoName: prefill.repoName }, { names: ['a.js'], repoName: 'ws' });
	});
});
