import assert from 'node:assert/strict';
import { RuntimeHost, defaultRuntimeSettings, type ClientSession, type RuntimeSettings, type RuntimeState } from '../../src/runtime';
import type { ModelFit } from '../../src/shared/modelTypes';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';

const noDocuments = { get: () => undefined };

/** Resolves once the session's runtime reports a state of `kind` (now or later). */
function stateOf<K extends RuntimeState['kind']>(session: ClientSession, kind: K): Promise<Extract<RuntimeState, { kind: K }>> {
	return new Promise(resolve => {
		const check = (state: RuntimeState) => {
			if (state.kind === kind) {
				subscription.dispose();
				resolve(state as Extract<RuntimeState, { kind: K }>);
			}
		};
		const subscription = session.onDidChangeRuntimeState(check);
		check(session.runtimeState);
	});
}

describe('RuntimeHost: sessions share a runtime per load settings', function () {
	this.timeout(120_000);
	let qwenFim: string;
	let mistral4Fim: string;
	let host: RuntimeHost;
	/** What the fit check answers for the next loads. */
	let fitLevel: ModelFit['level'];
	const settingsFor = (modelPath: string): RuntimeSettings => ({ ...defaultRuntimeSettings, modelPath, gpu: 'off', threads: 2 });
	const open = (name: string, settings: RuntimeSettings) => {
		const session = host.openSession({ documents: noDocuments, logger: { info() { }, warn() { }, error() { } }, settings });
		session.setWindowState(name, false);
		void session.configure(settings).configured;
		return session;
	};

	before(async () => {
		[qwenFim, mistral4Fim] = await Promise.all([ensureFixtureModel('qwenFim'), ensureFixtureModel('mistral4Fim')]);
	});
	beforeEach(() => {
		fitLevel = 'cpu';
		host = new RuntimeHost({
			runtimeOptions: { forecastDelayMs: false },
			checkFit: async () => ({ level: fitLevel, requiredBytes: 10 * 2 ** 30, summary: fitLevel === 'tooLarge' ? 'Needs 10.0 GB, 1.0 GB free' : 'Fits in RAM' }),
		});
	});
	afterEach(() => host.dispose());

	it('equal load settings share one runtime; other settings get another beside it when it fits; the last session to leave frees it', async () => {
		const a = open('alpha', settingsFor(qwenFim));
		const b = open('beta', settingsFor(qwenFim));
		assert.equal(a.runtime, b.runtime, 'one load for both');
		await stateOf(a, 'ready');
		const c = open('gamma', settingsFor(mistral4Fim));
		assert.notEqual(c.runtime, a.runtime);
		await stateOf(c, 'ready');
		assert.equal(host.runtimeCount, 2);
		const status = host.status(a);
		assert.deepEqual(status.models.map(model => [model.name, model.windowIds]).sort(), [['Bora Test Mistral4 FIM', ['w3']], ['Bora Test Qwen FIM', ['w1', 'w2']]].sort());

		// Each session's completion runs on its own runtime, with its id as the scheduler's client.
		const result = await b.complete({ ...canonicalFim, fileName: 'add.js', extraContext: [], candidates: 1, signal: new AbortController().signal, alternativesSignal: new AbortController().signal, onText: () => { } });
		assert.equal(result.text, canonicalFim.middle);

		host.closeSession(c);
		assert.equal(host.runtimeCount, 1, "gamma's model is freed with its last window");
		host.closeSession(a);
		assert.equal(host.runtimeCount, 1, 'beta still uses the first');
		const again = await b.complete({ ...canonicalFim, fileName: 'add.js', extraContext: [], candidates: 1, signal: new AbortController().signal, alternativesSignal: new AbortController().signal, onText: () => { } });
		assert.equal(again.text, canonicalFim.middle);
	});

	it('a model that does not fit beside one another window uses is refused, naming that window and what to do; it loads once that window left', async () => {
		const a = open('alpha', settingsFor(qwenFim));
		await stateOf(a, 'ready');
		fitLevel = 'tooLarge';
		const b = open('beta', settingsFor(mistral4Fim));
		const refused = await stateOf(b, 'error');
		assert.equal(refused.error.code, 'outOfMemory');
		assert.match(refused.error.message, /does not fit beside Bora Test Qwen FIM \(.+\) for window "alpha" \(w1\): Needs 10\.0 GB, 1\.0 GB free/);
		assert.match(refused.error.action, /Close that window or select the same model there/);
		assert.equal(a.runtime.state.kind, 'ready', "alpha's model stays");

		host.closeSession(a);
		// The user reloads (Bora: Reload Model) once the other window is closed: alone, the model loads as always.
		void b.runtime.reload();
		await stateOf(b, 'ready');
		assert.equal(host.runtimeCount, 1);
	});
});
