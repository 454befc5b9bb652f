import assert from 'node:assert/strict';
import { RuntimeError, type CompletionOutcome, type RuntimeErrorInfo } from '../../src/runtime';
import { serviceUnderTest, suggestionsOf, type ServiceUnderTest } from '../support/completionServiceSetup';

const uri = 'file:///ws/add.js';
const noModel: RuntimeErrorInfo = { code: 'noModel', message: 'No model is configured.', action: 'Choose a GGUF file.' };

/** Asserts a "no suggestion" outcome with its reason, and returns it. */
function assertNone(outcome: CompletionOutcome, reason: string): Extract<CompletionOutcome, { kind: 'none' }> {
	assert.equal(outcome.kind, 'none', JSON.stringify(outcome));
	assert.ok(outcome.kind === 'none');
	assert.equal(outcome.info.reason, reason);
	return outcome;
}

/** Every reason the completion service gives for no suggestion, on a fake engine (no model). */
describe('completion service: why there is no suggestion', () => {
	let under: ServiceUnderTest;
	afterEach(() => under.service.dispose());

	it('disabled: bora.completion.enabled off answers at once with the typed error, and no model call', async () => {
		under = serviceUnderTest({ completionEnabled: false });
		const none = assertNone(await under.ask(uri, 'function add(a, b) {|}'), 'disabled');
		assert.equal(none.error?.code, 'completionDisabled');
		assert.match(none.error?.action ?? '', /Toggle Inline Completion/);
		assert.deepEqual(none.info, { uri, line: 0, reason: 'disabled', message: 'Inline completion is turned off.' });
		assert.equal(under.backend.generations.length, 0);
	});

	it('notReady: no model (or loading, or a failed load) answers at once with the engine\'s error, logged once, not per keystroke', async () => {
		under = serviceUnderTest();
		under.backend.availability = { available: false, reason: 'notReady', error: noModel };
		const none = assertNone(await under.ask(uri, 'f(|)'), 'notReady');
		assert.deepEqual(none.error, noModel);
		assert.equal(none.info.message, 'No model is configured.');
		assertNone(await under.ask(uri, 'f(x|)'), 'notReady');
		assert.equal(under.backend.generations.length, 0);
		assert.equal(under.logs.filter(line => line.includes('no suggestion: No model is configured.')).length, 1, under.logs.join('\n'));
	});

	it('modeUnavailable: a model that cannot complete in bora.completion.mode says why', async () => {
		under = serviceUnderTest();
		const error: RuntimeErrorInfo = { code: 'noFimSupport', message: 'M has no chat template, and bora.completion.mode is set to chat.', action: 'Set bora.completion.mode to auto.' };
		under.backend.availability = { available: false, reason: 'modeUnavailable', error };
		assert.deepEqual(assertNone(await under.ask(uri, 'f(|)'), 'modeUnavailable').error, error);
		assert.equal(under.backend.generations.length, 0);
	});

	it('notReady too when the engine becomes unable while the request waits (a reload that failed)', async () => {
		under = serviceUnderTest();
		const pending = under.ask(uri, 'f(|)');
		const generation = await under.backend.generation(1);
		under.backend.availability = { available: false, reason: 'notReady', error: noModel };
		generation.fail(new RuntimeError({ code: 'loadFailed', message: 'Could not load m.gguf', action: 'See the log.' }));
		assert.equal(assertNone(await pending, 'notReady').error?.code, 'loadFailed', 'the error the engine failed with');
	});

	it('suffixOnLine: an automatic request with much text right of the cursor is not asked; an explicit one is', async () => {
		under = serviceUnderTest({ maxSuffixCharsOnLine: 8 });
		under.backend.answer = () => 'x';
		const none = assertNone(await under.ask(uri, 'call(|a, b, c, d, e);\n'), 'suffixOnLine');
		assert.equal(none.info.message, 'the text after the cursor on this line is too long (11 characters; bora.completion.maxSuffixCharsOnLine is 8)');
		assert.equal(none.error, undefined, 'nothing is wrong with the runtime');
		assert.equal(under.backend.generations.length, 0);
		assert.deepEqual(suggestionsOf(await under.ask(uri, 'call(|a, b, c, d, e);\n', { explicit: true })), ['x']);
		// A few characters are allowed, and the lines below do not count.
		assert.deepEqual(suggestionsOf(await under.ask(uri, 'call(|a, b, c);\nmore(text, below);')), ['x']);
	});

	it('stale: the document changed while the suggestion was computed', async () => {
		under = serviceUnderTest();
		const pending = under.ask(uri, 'f() {|}');
		const generation = await under.backend.generation(1);
		under.documents.set(uri, 'f() {|}\n// edited meanwhile');
		generation.finish({ text: ' return 1;' });
		assert.equal(assertNone(await pending, 'stale').info.message, 'the document changed while the suggestion was computed');
	});

	it('repeatsSuffix: the engine dropped a suggestion that only repeated the text after the cursor', async () => {
		under = serviceUnderTest();
		const pending = under.ask(uri, 'f() {|\n return 1;\n}');
		(await under.backend.generation(1)).finish({ text: '', emptyReason: 'repeatsSuffix' });
		assertNone(await pending, 'repeatsSuffix');
		assert.ok(under.logs.includes('completion add.js:1: no suggestion: the model only repeated the text after the cursor'), under.logs.join('\n'));
	});

	it('empty: the model wrote nothing usable (also when the engine does not say why)', async () => {
		under = serviceUnderTest();
		const pending = under.ask(uri, 'f() {|}');
		(await under.backend.generation(1)).finish({ text: '' });
		assertNone(await pending, 'empty');
		assert.equal(under.backend.generations.length, 1, 'no prefetch after nothing was shown');
	});

	it('contradicted never ends a request: a request whose joined generation the output contradicts gets a generation of its own', async () => {
		under = serviceUnderTest();
		const first = under.ask(uri, 'loop:|');
		const joined = await under.backend.generation(1);
		// Asked before any output: ` tack` may still be what comes, so it joins.
		const second = under.ask(uri, 'loop: tack|');
		joined.stream(' tick');
		const own = await under.backend.generation(2);
		assert.equal(own.request.prefix, 'loop: tack');
		await joined.aborted;
		own.finish({ text: ' tock' });
		assert.deepEqual(suggestionsOf(await second), [' tock']);
		assert.equal(suggestionsOf(await first), 'superseded', 'the first request\'s generation was stopped for the second');
	});

	it('superseded and cancelled requests are not reasons: nothing is logged for them', async () => {
		under = serviceUnderTest();
		const first = under.ask(uri, 'f() {|}');
		await under.backend.generation(1);
		const other = under.ask('file:///ws/other.js', 'x = |');
		assert.equal(suggestionsOf(await first), 'superseded');
		const cancel = new AbortController();
		const cancelled = under.ask('file:///ws/third.js', 'y = |', { signal: cancel.signal });
		await under.backend.generation(3);
		cancel.abort();
		await assert.rejects(cancelled, (error: Error) => error.name === 'AbortError');
		assert.equal(suggestionsOf(await other), 'superseded');
		assert.deepEqual(under.logs.filter(line => line.includes('no suggestion')), []);
	});
});
