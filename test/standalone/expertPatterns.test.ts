import assert from 'node:assert/strict';
import { cpuExpertPatterns, routedExpertPattern } from '../../src/runtime/loading/expertTensors';
import { cpuExpertsOf, loadKeyOf, loadSettingsChanged, loadTargetOf, parseCpuExperts, sameLoadTarget } from '../../src/runtime/loading/loadSettings';
import { defaultRuntimeSettings, type RuntimeSettings } from '../../src/shared/types';

/** llama.cpp matches each pattern with std::regex_search (ECMAScript grammar), as RegExp#test does. */
function overridden(patterns: readonly string[], tensor: string): boolean {
	return patterns.some(pattern => new RegExp(pattern).test(tensor));
}

describe('expert placement patterns (bora.moe.cpuExperts)', () => {
	it('N layers: the routed experts of blk.0 … blk.N-1, not blk.N and not blk.1x', () => {
		const patterns = cpuExpertPatterns(2, 36);
		for (const kind of ['up', 'down', 'gate', 'gate_up']) {
			assert.ok(overridden(patterns, `blk.0.ffn_${kind}_exps.weight`), kind);
			assert.ok(overridden(patterns, `blk.1.ffn_${kind}_exps.weight`), kind);
			assert.ok(!overridden(patterns, `blk.2.ffn_${kind}_exps.weight`), kind);
			assert.ok(!overridden(patterns, `blk.10.ffn_${kind}_exps.weight`), `${kind}: blk.1 must not match blk.10`);
			assert.ok(!overridden(patterns, `blk.11.ffn_${kind}_exps.weight`), kind);
		}
		assert.ok(overridden(patterns, 'blk.1.ffn_up_chexps.weight'), 'the chunked expert layout too, as llama.cpp\'s pattern');
	});

	it('shared experts, the router, attention and norms follow their layer', () => {
		const patterns = cpuExpertPatterns(36, 36);
		assert.deepEqual(patterns, [routedExpertPattern], 'every layer: --cpu-moe\'s pattern');
		for (const tensor of ['blk.0.ffn_up_shexp.weight', 'blk.0.ffn_gate_inp.weight', 'blk.0.attn_q_b.weight', 'blk.0.attn_kv_a_mqa.weight', 'blk.0.ffn_norm.weight', 'blk.0.ffn_up.weight', 'token_embd.weight', 'output.weight']) {
			assert.ok(!overridden(patterns, tensor), tensor);
		}
		assert.ok(overridden(patterns, 'blk.35.ffn_down_exps.weight'));
	});

	it('none for 0 layers', () => {
		assert.deepEqual(cpuExpertPatterns(0, 36), []);
	});

	it('reads the setting as auto, all or a count; anything else is auto', () => {
		assert.equal(parseCpuExperts('auto'), 'auto');
		assert.equal(parseCpuExperts('all'), 'all');
		assert.equal(parseCpuExperts('0'), 0);
		assert.equal(parseCpuExperts('22'), 22);
		assert.equal(parseCpuExperts(undefined), 'auto');
		assert.equal(parseCpuExperts('-3'), 'auto');
		assert.equal(cpuExpertsOf({ ...defaultRuntimeSettings, moeCpuExperts: '007' }), '7');
	});

	it('a changed setting is another load: target, load key and reload', () => {
		const before: RuntimeSettings = { ...defaultRuntimeSettings, modelPath: '/m.gguf', moeCpuExperts: 'auto' };
		const after: RuntimeSettings = { ...before, moeCpuExperts: '12' };
		assert.equal(loadTargetOf(after).cpuExperts, '12');
		assert.ok(!sameLoadTarget(loadTargetOf(before), loadTargetOf(after)));
		assert.notEqual(loadKeyOf(before), loadKeyOf(after));
		assert.ok(loadSettingsChanged(before, after));
		assert.ok(!loadSettingsChanged(after, { ...after, moeCpuExperts: '012' }), 'the same count written differently');
	});
});
