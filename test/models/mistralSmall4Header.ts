import { truncate } from 'node:fs/promises';
import { GgufWriter } from './GgufWriter.js';

/** ggml type ids and block sizes of the quantizations a Q4_K_M file of this model uses (ggml.h, ggml.c `type_traits`). */
const ggmlTypes = {
    F32: { id: 0, blockElements: 1, blockBytes: 4 },
    Q8_0: { id: 8, blockElements: 32, blockBytes: 34 },
    Q4_K: { id: 12, blockElements: 256, blockBytes: 144 },
    Q6_K: { id: 14, blockElements: 256, blockBytes: 210 },
} as const;

type QuantName = keyof typeof ggmlTypes;

/** The shape of a Mistral Small 4 sized `mistral4` model; the defaults are the real model's (its config.json). */
export interface MistralSmall4Shape {
    readonly blocks: number;
    readonly width: number;
    readonly experts: number;
    readonly expertsUsed: number;
    readonly expertWidth: number;
    readonly heads: number;
    readonly vocabulary: number;
    readonly contextLength: number;
}

export const mistralSmall4Shape: MistralSmall4Shape = {
    blocks: 36, width: 4096, experts: 128, expertsUsed: 4, expertWidth: 2048, heads: 32, vocabulary: 131_072, contextLength: 262_144,
};

const qLoraRank = 1024;
const kvLoraRank = 256;
const ropeDims = 64;
const nopeDims = 64;
const valueDims = 128;

/**
 * Writes the header of a Mistral-Small-4-like GGUF (arch `mistral4`, MLA attention, routed experts
 * plus one shared expert per block) with the tensor table of a Q4_K_M quantization and no weights,
 * then extends the file to the size its header claims as a sparse file: about 67 GB on paper, a few
 * kilobytes on disk. Routed experts are Q4_K, which with the Q6_K output matrix gives the 67.2 GB of
 * the published Q4_K_M file. Only header readers can use it; llama.cpp would read zeros.
 */
export async function writeMistralSmall4Header(path: string, shape: MistralSmall4Shape = mistralSmall4Shape): Promise<number> {
    const { blocks, width, experts, expertsUsed, expertWidth, heads, vocabulary, contextLength } = shape;
    const arch = 'mistral4';
    const writer = new GgufWriter()
        .setString('general.architecture', arch)
        .setString('general.name', 'Mistral Small 4 header (generated)')
        .setU32(`${arch}.context_length`, contextLength)
        .setU32(`${arch}.embedding_length`, width)
        .setU32(`${arch}.block_count`, blocks)
        .setU32(`${arch}.feed_forward_length`, 12_288)
        .setU32(`${arch}.attention.head_count`, heads)
        .setU32(`${arch}.attention.head_count_kv`, 1)
        .setF32(`${arch}.attention.layer_norm_rms_epsilon`, 1e-6)
        .setU32(`${arch}.attention.q_lora_rank`, qLoraRank)
        .setU32(`${arch}.attention.kv_lora_rank`, kvLoraRank)
        .setU32(`${arch}.attention.key_length`, kvLoraRank + ropeDims)
        .setU32(`${arch}.attention.value_length`, kvLoraRank)
        .setU32(`${arch}.attention.key_length_mla`, nopeDims + ropeDims)
        .setU32(`${arch}.attention.value_length_mla`, valueDims)
        .setU32(`${arch}.rope.dimension_count`, ropeDims)
        .setF32(`${arch}.rope.freq_base`, 1e6)
        .setU32(`${arch}.expert_count`, experts)
        .setU32(`${arch}.expert_used_count`, expertsUsed)
        .setU32(`${arch}.expert_feed_forward_length`, expertWidth)
        .setU32(`${arch}.expert_shared_count`, 1)
        .setU32(`${arch}.leading_dense_block_count`, 0)
        .setF32(`${arch}.expert_weights_scale`, 1)
        .setBool(`${arch}.expert_weights_norm`, true)
        .setU32(`${arch}.expert_gating_func`, 1)
        .setU32(`${arch}.vocab_size`, vocabulary);
    const tensor = (name: string, dims: readonly number[], quant: QuantName) => {
        const type = ggmlTypes[quant];
        const elements = dims.reduce((product, dim) => product * dim, 1);
        writer.declareTensor(name, dims, type.id, elements / type.blockElements * type.blockBytes);
    };
    tensor('token_embd.weight', [width, vocabulary], 'Q4_K');
    for (let block = 0; block < blocks; block++) {
        const name = (part: string) => `blk.${block}.${part}.weight`;
        tensor(name('attn_norm'), [width], 'F32');
        tensor(name('attn_q_a'), [width, qLoraRank], 'Q4_K');
        tensor(name('attn_q_a_norm'), [qLoraRank], 'F32');
        tensor(name('attn_q_b'), [qLoraRank, heads * (nopeDims + ropeDims)], 'Q4_K');
        tensor(name('attn_kv_a_mqa'), [width, kvLoraRank + ropeDims], 'Q4_K');
        tensor(name('attn_kv_a_norm'), [kvLoraRank], 'F32');
        tensor(name('attn_k_b'), [nopeDims, kvLoraRank, heads], 'Q8_0');
        tensor(name('attn_v_b'), [kvLoraRank, valueDims, heads], 'Q6_K');
        tensor(name('attn_output'), [heads * valueDims, width], 'Q4_K');
        tensor(name('ffn_norm'), [width], 'F32');
        tensor(name('ffn_gate_inp'), [width, experts], 'F32');
        tensor(name('ffn_gate_exps'), [width, expertWidth, experts], 'Q4_K');
        tensor(name('ffn_up_exps'), [width, expertWidth, experts], 'Q4_K');
        tensor(name('ffn_down_exps'), [expertWidth, width, experts], 'Q4_K');
        tensor(name('ffn_gate_shexp'), [width, expertWidth], 'Q4_K');
        tensor(name('ffn_up_shexp'), [width, expertWidth], 'Q4_K');
        tensor(name('ffn_down_shexp'), [expertWidth, width], 'Q6_K');
    }
    tensor('output_norm.weight', [width], 'F32');
    tensor('output.weight', [width, vocabulary], 'Q6_K');
    await writer.writeFile(path);
    const size = writer.headerOnlyFileSize();
    await truncate(path, size);
    return size;
}
