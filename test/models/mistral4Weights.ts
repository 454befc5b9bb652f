import type { GgufWriter } from './GgufWriter.js';
import type { LookupPlan } from './LookupPlan.js';
import { filled, noise, outputProjection, router, slotCopy, slotToSuccessor, stackExperts, tokenEmbedding } from './lookupWeights.js';

/** Shape of the tiny `mistral4` (DeepSeek-V2-style MLA + MoE) model; small, but every path is real. */
export const mistral4Shape = {
    heads: 2,
    qLoraRank: 32,
    kvLoraRank: 32,
    ropeDim: 16,
    nopeDim: 16,
    valueDimMla: 32,
    experts: 4,
    expertsUsed: 2,
    sharedExperts: 1,
    contextLength: 4096
} as const;

/**
 * Writes `mistral4.*` hyper-parameters and a one-layer lookup network. Each current-token slot is
 * routed to expert `slot % experts`, and only that expert knows the slot's successor, so a router
 * that picked the wrong expert would produce no answer: greedy output proves routing works.
 */
export function writeMistral4Lookup(writer: GgufWriter, plan: LookupPlan, vocabSize: number, rng: () => number): void {
    const s = mistral4Shape;
    const E = plan.width;
    const ff = Math.max(32, Math.ceil(plan.currentSlotCount / 32) * 32);
    const kMla = s.nopeDim + s.ropeDim;
    const a = 'mistral4';

    writer
        .setU32(`${a}.context_length`, s.contextLength)
        .setU32(`${a}.embedding_length`, E)
        .setU32(`${a}.block_count`, 1) // 26/27 layers would switch llama.cpp to the "lite" variant
        .setU32(`${a}.feed_forward_length`, ff)
        .setU32(`${a}.attention.head_count`, s.heads)
        .setU32(`${a}.attention.head_count_kv`, 1)
        .setF32(`${a}.attention.layer_norm_rms_epsilon`, 1e-5)
        .setU32(`${a}.attention.q_lora_rank`, s.qLoraRank)
        .setU32(`${a}.attention.kv_lora_rank`, s.kvLoraRank)
        .setU32(`${a}.attention.key_length`, s.kvLoraRank + s.ropeDim)
        .setU32(`${a}.attention.value_length`, s.kvLoraRank)
        // Without both *_mla keys the loader expects the legacy fused attn_kv_b tensor.
        .setU32(`${a}.attention.key_length_mla`, kMla)
        .setU32(`${a}.attention.value_length_mla`, s.valueDimMla)
        .setU32(`${a}.rope.dimension_count`, s.ropeDim)
        .setF32(`${a}.rope.freq_base`, 1e6)
        .setU32(`${a}.expert_count`, s.experts)
        .setU32(`${a}.expert_used_count`, s.expertsUsed)
        .setU32(`${a}.expert_feed_forward_length`, ff)
        .setU32(`${a}.expert_shared_count`, s.sharedExperts)
        .setU32(`${a}.leading_dense_block_count`, 0)
        .setF32(`${a}.expert_weights_scale`, 1)
        .setBool(`${a}.expert_weights_norm`, true)
        .setU32(`${a}.expert_gating_func`, 1) // softmax
        .setU32(`${a}.vocab_size`, vocabSize);

    writer
        .addTensor('token_embd.weight', [E, vocabSize], tokenEmbedding(plan, vocabSize), 'Q8_0')
        .addTensor('output_norm.weight', [E], filled(E, 1), 'F32')
        .addTensor('output.weight', [E, vocabSize], outputProjection(plan, vocabSize), 'Q8_0');

    const expertOf = (slot: number): number => slot % s.experts;
    const p = 'blk.0';
    writer
        .addTensor(`${p}.attn_norm.weight`, [E], filled(E, 1), 'F32')
        .addTensor(`${p}.attn_q_a.weight`, [E, s.qLoraRank], noise(rng, E * s.qLoraRank), 'Q8_0')
        .addTensor(`${p}.attn_q_a_norm.weight`, [s.qLoraRank], filled(s.qLoraRank, 1), 'F32')
        .addTensor(`${p}.attn_q_b.weight`, [s.qLoraRank, s.heads * kMla], noise(rng, s.qLoraRank * s.heads * kMla), 'Q8_0')
        .addTensor(`${p}.attn_kv_a_mqa.weight`, [E, s.kvLoraRank + s.ropeDim], noise(rng, E * (s.kvLoraRank + s.ropeDim)), 'Q8_0')
        .addTensor(`${p}.attn_kv_a_norm.weight`, [s.kvLoraRank], filled(s.kvLoraRank, 1), 'F32')
        // F16/Q8_0 here aborts context creation on AMX CPUs (GGML_ASSERT(*cur_backend_id != -1)).
        .addTensor(`${p}.attn_k_b.weight`, [s.nopeDim, s.kvLoraRank, s.heads], noise(rng, s.nopeDim * s.kvLoraRank * s.heads), 'F32')
        .addTensor(`${p}.attn_v_b.weight`, [s.kvLoraRank, s.valueDimMla, s.heads], noise(rng, s.kvLoraRank * s.valueDimMla * s.heads), 'F32')
        .addTensor(`${p}.attn_output.weight`, [s.heads * s.valueDimMla, E], filled(s.heads * s.valueDimMla * E, 0), 'Q8_0')
        .addTensor(`${p}.ffn_norm.weight`, [E], filled(E, 1), 'F32')
        .addTensor(`${p}.ffn_gate_inp.weight`, [E, s.experts], router(plan, s.experts, expertOf), 'F32');

    const copy = slotCopy(plan, ff);
    const experts = Array.from({ length: s.experts }, (_, x) => x);
    writer
        .addTensor(`${p}.ffn_gate_exps.weight`, [E, ff, s.experts], stackExperts(experts.map(() => copy)), 'Q8_0')
        .addTensor(`${p}.ffn_up_exps.weight`, [E, ff, s.experts], stackExperts(experts.map(() => copy)), 'Q8_0')
        .addTensor(`${p}.ffn_down_exps.weight`, [ff, E, s.experts],
            stackExperts(experts.map(x => slotToSuccessor(plan, ff, slot => expertOf(slot) === x))), 'Q8_0')
        // The shared expert runs for every token; a zero down projection keeps it out of the answer.
        .addTensor(`${p}.ffn_gate_shexp.weight`, [E, ff], noise(rng, E * ff), 'Q8_0')
        .addTensor(`${p}.ffn_up_shexp.weight`, [E, ff], noise(rng, E * ff), 'Q8_0')
        .addTensor(`${p}.ffn_down_shexp.weight`, [ff, E], filled(ff * E, 0), 'Q8_0');
}
