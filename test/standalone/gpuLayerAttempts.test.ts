import assert from 'node:assert/strict';
import { fewerGpuLayersNotice, gpuLayerAttempts } from '../../src/runtime/loading/gpuLayerAttempts';

describe('out-of-memory recovery plan for GPU layers', () => {
	it('automatic layers leave room for the context, then take what fits, then half, then none', () => {
		const plan = gpuLayerAttempts({ gpu: true, gpuLayers: 'auto', totalLayers: 41, fitContextSize: 4096 });
		assert.deepEqual(plan.attempts, [{ fitContext: { contextSize: 4096 } }, 'auto', 20, 0]);
		assert.equal(plan.fallbackFrom, 2, 'a load on half or no layers is a fallback the user is told about');
	});

	it('a forced count falls back only to fewer layers', () => {
		assert.deepEqual(gpuLayerAttempts({ gpu: true, gpuLayers: 30, totalLayers: 41, fitContextSize: 4096 }).attempts, [30, 20, 0]);
		assert.deepEqual(gpuLayerAttempts({ gpu: true, gpuLayers: 12, totalLayers: 41, fitContextSize: 4096 }).attempts, [12, 0]);
		assert.deepEqual(gpuLayerAttempts({ gpu: true, gpuLayers: 0, totalLayers: 41, fitContextSize: 4096 }).attempts, [0]);
	});

	it('on the CPU there is nothing to retry', () => {
		const plan = gpuLayerAttempts({ gpu: false, gpuLayers: 'auto', totalLayers: 41, fitContextSize: 8192 });
		assert.deepEqual(plan.attempts, [{ fitContext: { contextSize: 8192 } }]);
		assert.equal(plan.fallbackFrom, 1);
	});

	it('a one-layer model tries the GPU, then the CPU, once each', () => {
		assert.deepEqual(gpuLayerAttempts({ gpu: true, gpuLayers: 'auto', totalLayers: 1, fitContextSize: 512 }).attempts, [{ fitContext: { contextSize: 512 } }, 'auto', 0]);
	});

	it('the notice says what was asked, what was loaded and what to do', () => {
		assert.equal(
			fewerGpuLayersNotice('auto', 20, 41),
			'Not enough GPU memory for the automatic layer split: loaded with 20 of 41 layers on the GPU instead, which is slower. Close other GPU programs or pick a smaller model for full speed.',
		);
		assert.match(fewerGpuLayersNotice(30, 0, 41), /^Not enough GPU memory for 30 GPU layers: loaded with 0 of 41/);
	});
});
