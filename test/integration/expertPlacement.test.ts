import assert from 'node:assert/strict';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

describe('bora.moe.cpuExperts through the runtime', function () {
	this.timeout(120_000);
	let server: RuntimeServerProcess | undefined;

	afterEach(async () => {
		await server?.stop();
		server = undefined;
	});

	it('the ready state says where the experts went; a changed setting loads again; the model completes', async () => {
		const modelPath = await ensureFixtureModel('mistral4Fim');
		server = await RuntimeServerProcess.start({ initializationOptions: { gpu: 'off', threads: 1, modelPath, moeCpuExperts: '1' } });
		const first = await server.waitForState('ready');
		assert.deepEqual(first.experts, { cpuExpertLayers: 1, expertLayers: 1, totalLayers: 1, summary: 'experts of 1 of 1 layers in RAM' });
		assert.equal(first.notice, undefined);
		await server.waitForLog(/Routed experts \(bora\.moe\.cpuExperts = 1\): experts of 1 of 1 layers in RAM/);

		await server.configure({ gpu: 'off', threads: 1, modelPath, moeCpuExperts: '0' });
		const second = await server.waitForState('ready', state => state.experts?.cpuExpertLayers === 0);
		assert.equal(second.experts?.summary, 'experts of 0 of 1 layers in RAM');
		await server.open('file:///placement.js', `${canonicalFim.prefix}|${canonicalFim.suffix}`);
		const list = await server.complete('file:///placement.js', { line: 0, character: canonicalFim.prefix.length });
		assert.equal(list?.items[0]?.insertText, canonicalFim.middle);
	});

	it('a build that cannot place experts loads anyway and carries expertPlacementUnavailable with what to do', async () => {
		const modelPath = await ensureFixtureModel('mistral4Fim');
		server = await RuntimeServerProcess.start({
			env: { ...process.env, BORA_PLACEMENT_ADDON: '/nonexistent/bora-placement.node' },
			initializationOptions: { gpu: 'off', threads: 1, modelPath, moeCpuExperts: 'all' },
		});
		const ready = await server.waitForState('ready');
		assert.equal(ready.experts?.unavailable?.code, 'expertPlacementUnavailable');
		assert.match(ready.experts.unavailable.action, /npm run build/);
		assert.ok(ready.notice?.includes(ready.experts.unavailable.message));
	});
});
