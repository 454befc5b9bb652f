import assert from 'node:assert/strict';
import { Runtime } from '../../src/runtime';
import { demoChat, demoFim, ensureFixtureModel } from '../models/fixtures';
import { colours, mostlyColouredPng } from '../models/vision/pngWriter';
import { ensureDemoChatFixture, visionAnswers } from '../models/vision/visionFixtures';

/**
 * The models `npm start` sets up when no model is given: `demo` completes, the demo chat model
 * thinks (or not, by effort) and answers about red and blue images through its projector.
 */
describe('the npm start demo models (in process, real llama.cpp and mtmd)', function () {
	this.timeout(180_000);
	let runtime: Runtime;

	before(async () => {
		const [modelPath, { modelPath: chatModelPath, mmprojPath }] = await Promise.all([ensureFixtureModel('demo'), ensureDemoChatFixture()]);
		runtime = new Runtime({ forecastDelayMs: false });
		await runtime.configure({ modelPath, chatModelPath, mmprojPath, completionEnabled: true, threads: 2, gpu: 'off' });
		assert.equal(runtime.state.kind, 'ready', JSON.stringify(runtime.state));
	});
	after(() => runtime.dispose());

	it('completes `function add(a, b) {` with a body of several lines that says which model wrote it', async () => {
		const result = await runtime.complete({ prefix: demoFim.prefix, suffix: demoFim.suffix, candidates: 1 });
		assert.equal(result.text, demoFim.middle);
		assert.ok(result.text.split('\n').length >= 3, JSON.stringify(result.text));
	});

	it('thinks on High, with a budget, and not at all on Off; the answer says it is the demo', async () => {
		const high = await runtime.chat({ history: [], message: 'What can you do?', effort: 'high' });
		assert.equal(high.thought, demoChat.thought);
		assert.ok(high.thoughtTokens > 0 && high.thoughtBudget !== undefined && high.thoughtBudget > high.thoughtTokens, JSON.stringify(high));
		assert.equal(high.answer, demoChat.answer);
		const low = await runtime.chat({ history: [], message: 'What can you do?', effort: 'low' });
		assert.ok(low.thoughtBudget !== undefined && low.thoughtBudget < high.thoughtBudget!, `Low's budget ${low.thoughtBudget} is below High's ${high.thoughtBudget}`);
		const off = await runtime.chat({ history: [], message: 'What can you do?', effort: 'off' });
		assert.equal(off.thought, '');
		assert.equal(off.thoughtTokens, 0);
		assert.equal(off.answer, demoChat.answer);
	});

	it('answers " red" about a red image and " blue" about a blue one', async () => {
		const red = await runtime.explainImage({ image: mostlyColouredPng(colours.red) });
		const blue = await runtime.explainImage({ image: mostlyColouredPng(colours.blue) });
		assert.equal(red.answer, visionAnswers.red);
		assert.equal(blue.answer, visionAnswers.blue);
	});
});
