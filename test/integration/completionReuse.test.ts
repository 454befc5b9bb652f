import assert from 'node:assert/strict';
import { CancellationTokenSource, InlineCompletionTriggerKind, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol/node';
import { canonicalFim, canonicalFimAlternative, endlessFim, ensureFixtureModels, type FixtureName } from '../models/fixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

const canonicalText = `${canonicalFim.prefix}|${canonicalFim.suffix}\n`;

/**
 * Model work shared between requests over a real LSP connection: in-flight generations joined or
 * aborted, the suggestion after acceptance prefetched, several candidates, and the mode setting.
 * "A model call" is counted by `bora/completionStats`, sent once per generation a request asked for.
 */
describe('completion reuse, prefetch and candidates through a spawned runtime', function () {
	this.timeout(180_000);
	let models: Record<FixtureName, string>;
	let server: RuntimeServerProcess | undefined;
	before(async () => {
		models = await ensureFixtureModels();
	});
	afterEach(async () => {
		await server?.stop();
		server = undefined;
	});

	async function start(fixture: FixtureName, settings: Record<string, unknown> = {}): Promise<RuntimeServerProcess> {
		server = await RuntimeServerProcess.start({ initializationOptions: { modelPath: models[fixture], threads: 2, ...settings } });
		await server.waitForState('ready');
		return server;
	}

	it('a request cancelled by a matching follow-up is joined: one generation, two answers', async () => {
		const runtime = await start('mistral4Fim');
		const uri = 'file:///workspace/loop.txt';
		const position = await runtime.open(uri, 'loop:|');
		const source = new CancellationTokenSource();
		const first = runtime.complete(uri, position, source.token).then(() => 'answered', (error: unknown) => error);
		// The first request's handler has started its generation before the text changes.
		await runtime.roundTrip();
		const typed = await runtime.replaceText(uri, 'loop: tick|');
		const second = runtime.complete(uri, typed);
		// Cancelled once the follow-up has joined, so the test does not depend on the 200 ms grace period.
		await runtime.roundTrip();
		source.cancel();
		const outcome = await first;
		assert.ok(outcome instanceof ResponseError && outcome.code === LSPErrorCodes.RequestCancelled, String(outcome));
		const answer = await second;
		assert.ok(String(answer?.items[0]?.insertText).startsWith(' tock tick tock'), JSON.stringify(answer));
		assert.equal(runtime.completionStats.length, 1, 'one generation for both requests');
		assert.ok(runtime.logs.some(line => /joined the generation already running/.test(line)), runtime.logs.join('\n'));
	});

	it('a follow-up the output contradicts aborts the endless generation at once', async () => {
		const runtime = await start('mistral4Fim');
		const uri = 'file:///workspace/loop.txt';
		const position = await runtime.open(uri, 'loop:|');
		const first = runtime.complete(uri, position);
		await runtime.roundTrip();
		const other = await runtime.replaceText(uri, 'loop: tack|');
		await runtime.complete(uri, other);
		// The first request was never cancelled: its generation was stopped, so it answers nothing.
		assert.deepEqual(await first, { items: [] });
		assert.equal(runtime.completionStats.length, 1, 'only the second generation ran to its end');
		assert.equal(runtime.completionStats[0]!.stopReason !== 'aborted', true);
	});

	it('after a suggestion is shown, the state after accepting it is served from the prefetch with no model call', async () => {
		// The endless fixture goes on after any accepted text; the canonical answer ends in a stop token.
		const runtime = await start('mistral4Fim');
		const uri = 'file:///workspace/loop.txt';
		const position = await runtime.open(uri, 'loop:|');
		const shown = String((await runtime.complete(uri, position))?.items[0]?.insertText);
		assert.ok(shown.startsWith(' tick tock'), shown);
		await runtime.waitForLog(/prefetched for after acceptance/);
		const accepted = await runtime.replaceText(uri, `loop:${shown}|`);
		const next = String((await runtime.complete(uri, accepted))?.items[0]?.insertText);
		// Both are cut at a token boundary (128 tokens), which may be mid-word: together they go on with the cycle.
		assert.ok(next.length > 0 && endlessFim.cycle.join('').repeat(200).startsWith(shown + next), next);
		assert.equal(runtime.completionStats.length, 1, 'the request after acceptance ran no model');
		assert.ok(runtime.logs.some(line => /served from the suggestion cache, no model call/.test(line)), runtime.logs.join('\n'));
	});

	it('typing gets the best suggestion; asking (as cycling does) gets distinct candidates best first; nothing stale after an edit elsewhere', async () => {
		const runtime = await start('qwenFim');
		const uri = 'file:///workspace/add.js';
		const explicit = InlineCompletionTriggerKind.Invoked;
		const position = await runtime.open(uri, canonicalText);
		const typed = await runtime.complete(uri, position);
		assert.deepEqual(typed?.items.map(item => item.insertText), [canonicalFim.middle], 'automatic requests compute the best alone');
		const cycled = await runtime.complete(uri, position, undefined, explicit);
		assert.deepEqual(cycled?.items.map(item => item.insertText), [canonicalFim.middle, canonicalFimAlternative]);
		assert.deepEqual(cycled?.items[1]?.range, { start: position, end: position });
		assert.equal(runtime.completionStats.length, 2);
		// Asked again for the same text: all candidates come from the cache.
		const again = await runtime.complete(uri, position, undefined, explicit);
		assert.deepEqual(again?.items.map(item => item.insertText), [canonicalFim.middle, canonicalFimAlternative]);
		assert.equal(runtime.completionStats.length, 2);

		// An edit above the cursor: the remembered suggestions no longer apply, the model runs again.
		const edited = await runtime.replaceText(uri, `// edited\n${canonicalText}`);
		const afterEdit = await runtime.complete(uri, edited, undefined, explicit);
		assert.deepEqual(afterEdit?.items.map(item => item.insertText), [canonicalFim.middle, canonicalFimAlternative]);
		assert.equal(runtime.completionStats.length, 3, 'a new generation for the edited text');
		assert.equal(runtime.completionStats[2]!.line, 1);
	});

	it('exactly one suggestion with bora.completion.candidates set to 1, even when asked', async () => {
		const runtime = await start('qwenFim', { completionCandidates: 1 });
		const uri = 'file:///workspace/add.js';
		const position = await runtime.open(uri, canonicalText);
		const one = await runtime.complete(uri, position, undefined, InlineCompletionTriggerKind.Invoked);
		assert.deepEqual(one?.items.map(item => item.insertText), [canonicalFim.middle]);
	});

	it('bora.completion.mode chat completes a FIM model through its chat template', async () => {
		const runtime = await start('qwenFim', { completionMode: 'chat' });
		const uri = 'file:///workspace/add.js';
		const position = await runtime.open(uri, canonicalText);
		await runtime.complete(uri, position);
		assert.equal(runtime.completionStats.length, 1);
		assert.equal(runtime.completionStats[0]!.mode, 'chat');
		await runtime.configure({ completionMode: 'auto' });
		const other = await runtime.replaceText(uri, `// auto\n${canonicalText}`);
		await runtime.complete(uri, other);
		assert.equal(runtime.completionStats[1]!.mode, 'fim');
	});
});
