import type { GgufWriter } from '../GgufWriter.js';
import type { LookupPlan } from '../LookupPlan.js';
import { filled, noise, outputProjection, router, slotCopy, slotToSuccessor, stackExperts, tokenEmbedding } from '../lookupWeights.js';
import { mistral4Shape } from '../mistral4Weights.js';

/** Where the projector must write: the LLM width and the residual dims that carry red and blue. */
export interface VisionDims {
    readonly width: number;
    readonly r: number;
    readonly b: number;
}

export interface VisionSlots {
    /** Current-token slot of `[/INST]`: only there does the shared expert read the image. */
    readonly instSlot: number;
    /** Next-token dims of ` red` and ` blue`. */
    readonly redNext: number;
    readonly blueNext: number;
}

/** Attention gain from the mean image value to R/B, and the shared expert's gain into the answer. */
const attentionGain = 1;
const answerGain = 0.05;

/**
 * `mistral4` weights as in `writeMistral4Lookup`, plus the image path: zero queries (uniform
 * attention), keys/values that carry only R and B (text tokens have neither, so their values are 0
 * after the kv norm), an output projection back into R/B, and a shared expert whose units fire only
 * at `[/INST]` (up = its slot) in proportion to R or B (gate).
 */
export function writeMistral4Vision(writer: GgufWriter, basePlan: LookupPlan, vocabSize: number, rng: () => number, slots: VisionSlots): VisionDims {
    const used = basePlan.currentSlotCount + basePlan.nextTokens.length;
    const E = Math.ceil((used + 2) / 32) * 32;
    const plan: LookupPlan = Object.create(basePlan, { width: { value: E } }) as LookupPlan;
    const r = used;
    const b = used + 1;
    const s = mistral4Shape;
    const ff = Math.max(32, Math.ceil(plan.currentSlotCount / 32) * 32);
    const kMla = s.nopeDim + s.ropeDim;
    const a = 'mistral4';
    writer
        .setU32(`${a}.context_length`, s.contextLength)
        .setU32(`${a}.embedding_length`, E)
        .setU32(`${a}.block_count`, 1)
        .setU32(`${a}.feed_forward_length`, ff)
        .setU32(`${a}.attention.head_count`, s.heads)
        .setU32(`${a}.attention.head_count_kv`, 1)
        .setF32(`${a}.attention.layer_norm_rms_epsilon`, 1e-5)
        .setU32(`${a}.attention.q_lora_rank`, s.qLoraRank)
        .setU32(`${a}.attention.kv_lora_rank`, s.kvLoraRank)
        .setU32(`${a}.attention.key_length`, s.kvLoraRank + s.ropeDim)
        .setU32(`${a}.attention.value_length`, s.kvLoraRank)
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
        .setU32(`${a}.expert_gating_func`, 1)
        .setU32(`${a}.vocab_size`, vocabSize);

    writer
        .addTensor('token_embd.weight', [E, vocabSize], tokenEmbedding(plan, vocabSize), 'Q8_0')
        .addTensor('output_norm.weight', [E], filled(E, 1), 'F32')
        .addTensor('output.weight', [E, vocabSize], outputProjection(plan, vocabSize), 'Q8_0');

    // kv_a: compressed kv dim 0 reads R, dim 1 reads B; everything else 0 so text tokens give 0.
    const kvA = new Float32Array(E * (s.kvLoraRank + s.ropeDim));
    kvA[0 * E + r] = 1;
    kvA[1 * E + b] = 1;
    // v_b [kvLora, vHead, heads]: head 0 copies compressed dims 0/1 into value dims 0/1.
    const vB = new Float32Array(s.kvLoraRank * s.valueDimMla * s.heads);
    vB[0 * s.kvLoraRank + 0] = 1;
    vB[1 * s.kvLoraRank + 1] = 1;
    // attn_output [heads·vHead, E]: head 0 value dims 0/1 → R/B.
    const attnOut = new Float32Array(s.heads * s.valueDimMla * E);
    attnOut[r * s.heads * s.valueDimMla + 0] = attentionGain;
    attnOut[b * s.heads * s.valueDimMla + 1] = attentionGain;

    const expertOf = (slot: number): number => slot % s.experts;
    const p = 'blk.0';
    writer
        .addTensor(`${p}.attn_norm.weight`, [E], filled(E, 1), 'F32')
        .addTensor(`${p}.attn_q_a.weight`, [E, s.qLoraRank], noise(rng, E * s.qLoraRank), 'Q8_0')
        .addTensor(`${p}.attn_q_a_norm.weight`, [s.qLoraRank], filled(s.qLoraRank, 1), 'F32')
        .addTensor(`${p}.attn_q_b.weight`, [s.qLoraRank, s.heads * kMla], filled(s.qLoraRank * s.heads * kMla, 0), 'Q8_0')
        .addTensor(`${p}.attn_kv_a_mqa.weight`, [E, s.kvLoraRank + s.ropeDim], kvA, 'Q8_0')
        .addTensor(`${p}.attn_kv_a_norm.weight`, [s.kvLoraRank], filled(s.kvLoraRank, 1), 'F32')
        .addTensor(`${p}.attn_k_b.weight`, [s.nopeDim, s.kvLoraRank, s.heads], noise(rng, s.nopeDim * s.kvLoraRank * s.heads), 'F32')
        .addTensor(`${p}.attn_v_b.weight`, [s.kvLoraRank, s.valueDimMla, s.heads], vB, 'F32')
        .addTensor(`${p}.attn_output.weight`, [s.heads * s.valueDimMla, E], attnOut, 'Q8_0')
        .addTensor(`${p}.ffn_norm.weight`, [E], filled(E, 1), 'F32')
        .addTensor(`${p}.ffn_gate_inp.weight`, [E, s.experts], router(plan, s.experts, expertOf), 'F32');

    const copy = slotCopy(plan, ff);
    const experts = Array.from({ length: s.experts }, (_, x) => x);
    const gateSh = new Float32Array(E * ff);
    const upSh = new Float32Array(E * ff);
    const downSh = new Float32Array(ff * E);
    gateSh[0 * E + r] = 1;
    gateSh[1 * E + b] = 1;
    upSh[0 * E + slots.instSlot] = 1;
    upSh[1 * E + slots.instSlot] = 1;
    downSh[slots.redNext * ff + 0] = answerGain;
    downSh[slots.blueNext * ff + 1] = answerGain;
    writer
        .addTensor(`${p}.ffn_gate_exps.weight`, [E, ff, s.experts], stackExperts(experts.map(() => copy)), 'Q8_0')
        .addTensor(`${p}.ffn_up_exps.weight`, [E, ff, s.experts], stackExperts(experts.map(() => copy)), 'Q8_0')
        .addTensor(`${p}.ffn_down_exps.weight`, [ff, E, s.experts],
            stackExperts(experts.map(x => slotToSuccessor(plan, ff, slot => expertOf(slot) === x))), 'Q8_0')
        .addTensor(`${p}.ffn_gate_shexp.weight`, [E, ff], gateSh, 'F32')
        .addTensor(`${p}.ffn_up_shexp.weight`, [E, ff], upSh, 'F32')
        .addTensor(`${p}.ffn_down_shexp.weight`, [ff, E], downSh, 'F32');
    return { width: E, r, b };
}
