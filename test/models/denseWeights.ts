import type { GgufWriter } from './GgufWriter.js';
import type { LookupPlan } from './LookupPlan.js';
import { filled, noise, outputProjection, slotCopy, slotToSuccessor, tokenEmbedding } from './lookupWeights.js';

export type DenseArchitecture = 'llama' | 'qwen2';

const heads = 2;
const headsKv = 1;

/** Writes hyper-parameters and a one-layer dense lookup network for a llama-family architecture. */
export function writeDenseLookup(writer: GgufWriter, arch: DenseArchitecture, plan: LookupPlan, vocabSize: number, rng: () => number): void {
    const E = plan.width;
    const headDim = E / heads;
    const kvDim = headDim * headsKv;
    const ff = Math.max(32, Math.ceil(plan.currentSlotCount / 32) * 32);

    writer
        .setU32(`${arch}.context_length`, 4096)
        .setU32(`${arch}.embedding_length`, E)
        .setU32(`${arch}.block_count`, 1)
        .setU32(`${arch}.feed_forward_length`, ff)
        .setU32(`${arch}.attention.head_count`, heads)
        .setU32(`${arch}.attention.head_count_kv`, headsKv)
        .setF32(`${arch}.attention.layer_norm_rms_epsilon`, 1e-6)
        .setU32(`${arch}.rope.dimension_count`, headDim) // llama.cpp requires the full head dimension
        .setF32(`${arch}.rope.freq_base`, arch === 'qwen2' ? 1e6 : 5e5)
        .setU32(`${arch}.vocab_size`, vocabSize);

    const p = 'blk.0';
    writer
        .addTensor('token_embd.weight', [E, vocabSize], tokenEmbedding(plan, vocabSize), 'Q8_0')
        .addTensor('output_norm.weight', [E], filled(E, 1), 'F32')
        .addTensor('output.weight', [E, vocabSize], outputProjection(plan, vocabSize), 'Q8_0')
        .addTensor(`${p}.attn_norm.weight`, [E], filled(E, 1), 'F32')
        .addTensor(`${p}.attn_q.weight`, [E, E], noise(rng, E * E), 'Q8_0')
        .addTensor(`${p}.attn_k.weight`, [E, kvDim], noise(rng, E * kvDim), 'Q8_0')
        .addTensor(`${p}.attn_v.weight`, [E, kvDim], noise(rng, E * kvDim), 'Q8_0');
    if (arch === 'qwen2') {
        // Qwen2 checkpoints carry q/k/v biases; include them so that code path runs too.
        writer
            .addTensor(`${p}.attn_q.bias`, [E], noise(rng, E), 'F32')
            .addTensor(`${p}.attn_k.bias`, [kvDim], noise(rng, kvDim), 'F32')
            .addTensor(`${p}.attn_v.bias`, [kvDim], noise(rng, kvDim), 'F32');
    }
    writer
        .addTensor(`${p}.attn_output.weight`, [E, E], filled(E * E, 0), 'Q8_0')
        .addTensor(`${p}.ffn_norm.weight`, [E], filled(E, 1), 'F32')
        .addTensor(`${p}.ffn_gate.weight`, [E, ff], slotCopy(plan, ff), 'Q8_0')
        .addTensor(`${p}.ffn_up.weight`, [E, ff], slotCopy(plan, ff), 'Q8_0')
        .addTensor(`${p}.ffn_down.weight`, [ff, E], slotToSuccessor(plan, ff), 'Q8_0');
}
