import assert from 'node:assert/strict';
import { serviceUnderTest, type ServiceUnderTest } from '../support/completionServiceSetup';

const uri = 'file:///ws/src/focused.js';
const text = 'const a = 1;\nfunction add(a, b) {|}\n// after\n';

/** The focused document's prompt, evaluated ahead on a fake engine: what the service asks it to evaluate, and when. */
describe('completion service: the focused document is evaluated ahead at its cursor', () => {
	let under: ServiceUnderTest;
	afterEach(() => under.service.dispose());

	for (const extraContextEnabled of [true, false]) {
		it(`on focus, the prefill gets the window a request at the cursor would send (extra context ${extraContextEnabled ? 'on' : 'off'})`, async () => {
			under = serviceUnderTest({ extraContextEnabled }, { extraContext: { idleMs: 0 } });
			const { document } = under.documents.set(uri, text);
			under.service.didChangeContent(document);
			under.service.didChangeEditorContext({ uri, cursor: { line: 1, character: 'function add(a, b) {'.length } });
			const prefill = await under.backend.prefill(1);
			assert.deepEqual({ prefix: prefill.prefix, suffix: prefill.suffix, fileName: prefill.fileName }, { prefix: 'const a = 1;\nfunction add(a, b) {', suffix: '}\n// after\n', fileName: 'src/focused.js' });

			// The request there sends the same window, so the engine finds its prompt cached.
			const request = under.ask(uri, text);
			const generation = await under.backend.generation(1);
			assert.deepEqual({ prefix: generation.request.prefix, suffix: generation.request.suffix, fileName: generation.request.fileName }, { prefix: prefill.prefix, suffix: prefill.suffix, fileName: prefill.fileName });
			generation.finish({ text: ' return a + b;' });
			await request;
		});
	}

	it('focusing the same editor again (back from a break) evaluates it again, and a cursor past the text is clamped', async () => {
		under = serviceUnderTest({}, { extraContext: { idleMs: 0 } });
		const { document } = under.documents.set(uri, text);
		under.service.didChangeContent(document);
		under.service.didChangeEditorContext({ uri, cursor: { line: 2, character: 500 } });
		assert.equal((await under.backend.prefill(1)).prefix, 'const a = 1;\nfunction add(a, b) {}\n// after');
		under.service.didChangeEditorContext({ uri, cursor: { line: 2, character: 500 } });
		assert.equal((await under.backend.prefill(2)).suffix, '\n');
	});

	it('a cursor reported before the user typed is not used once the document changed: only the head is evaluated', async () => {
		under = serviceUnderTest({ extraContextEnabled: true }, { extraContext: { idleMs: 0 } });
		const { document } = under.documents.set(uri, text);
		under.service.didChangeContent(document);
		under.service.didChangeEditorContext({ uri, cursor: { line: 0, character: 0 } });
		await under.backend.prefill(1);
		const typed = under.documents.set(uri, 'x' + text).document;
		under.service.didChangeContent(typed);
		const prefill = await under.backend.prefill(2);
		assert.deepEqual({ prefix: prefill.prefix, suffix: prefill.suffix }, { prefix: undefined, suffix: undefined });
	});
});
