/*
 * Models for `npm run bench`: realistic shapes (several layers, real attention and MoE routing, real
 * vocabularies) with random weights, so prompt evaluation costs what a small real model's does. They
 * are not test fixtures: they are larger, say nothing meaningful and are built only by benchmarks.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mistral4ChatTemplate } from './chatTemplates.js';
import { mistralControlTokens } from './expectations.js';
import { fixtureCacheDir } from './fixtures.js';
import { GgufWriter } from './GgufWriter.js';
import { readGgufMetadata } from './GgufReader.js';
import { filled, noise } from './lookupWeights.js';
import { mulberry32 } from './mulberry32.js';
import { copyTokenizer } from './tokenizerKeys.js';
import { ensureVocabulary, getLlamaCppSource, writeAtomically } from './vocabularies.js';
import { buildPixtralMmproj } from './vision/visionFixtures.js';

export type BenchModelName = 'benchMistral4' | 'benchDense' | 'benchMoe';
/** The models the throughput benchmarks compare (benchMoe is for memory figures: see {@link ensureBenchMoeVision}). */
export const benchModelNames: readonly BenchModelName[] = ['benchMistral4', 'benchDense'];

/** Bump when the bytes change. */
const benchVersion = 2;

/**
 * About 3 M active parameters a layer. The vocabularies are real 32 k and 49 k code-model ones
 * (Codestral's and StarCoder2's sizes), so the output projection (16–25 M parameters) is about the
 * size of the body. That is still far more output-heavy than a real code model (Qwen2.5-Coder 1.5B:
 * 0.23 B of output against a 1.3 B body), so generation weighs more in a warm request here than it
 * would on a real model; with a 128 k vocabulary at this width the output layer was 5× the body and
 * made every generated token cost as much as ≈100 prompt tokens.
 */
const width = 512;
const layers = 4;

/** The MoE part of a `mistral4` bench model's shape. */
interface MoeShape {
    readonly layers: number;
    readonly experts: number;
    readonly used: number;
    readonly name: string;
    /** Embed Mistral Small 4's chat template, so chat and image questions run on it. */
    readonly chatTemplate: boolean;
}

const mistral4Shape: MoeShape = { layers, experts: 16, used: 2, name: 'Bench Mistral4 MoE (random weights)', chatTemplate: false };

/**
 * Many experts, a few hundred MB (≈ 356 MB: 64 experts of 6 layers are 90% of it), for memory
 * figures of a model where the experts dominate, as in Mistral Small 4 (128 experts).
 */
const moeShape: MoeShape = { layers: 6, experts: 64, used: 4, name: 'Bench MoE, 64 experts (random weights)', chatTemplate: true };

/** Returns the path of a benchmark model, building it (a few seconds; benchMoe about a minute) when missing. */
export async function ensureBenchModel(name: BenchModelName): Promise<string> {
    const shape = name === 'benchMoe' ? { moeShape } : {};
    const key = JSON.stringify({ benchVersion, name, width, layers, ...shape, llamaCpp: getLlamaCppSource().version });
    const path = join(fixtureCacheDir, `${name}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}.gguf`);
    if (!existsSync(path)) {
        await writeAtomically(path, name === 'benchDense' ? await buildDense() : await buildMistral4(name === 'benchMoe' ? moeShape : mistral4Shape));
    }
    return path;
}

/**
 * `benchMoe` and a pixtral projector for it (random colour measures, the vision fixture's recipe at
 * this width): image questions run on it, answering nothing meaningful.
 */
export async function ensureBenchMoeVision(): Promise<{ modelPath: string; mmprojPath: string }> {
    const modelPath = await ensureBenchModel('benchMoe');
    const mmprojPath = modelPath.replace(/\.gguf$/, '-mmproj.gguf');
    if (!existsSync(mmprojPath)) {
        await writeAtomically(mmprojPath, buildPixtralMmproj({ width, r: 0, b: 1 }));
    }
    return { modelPath, mmprojPath };
}

/**
 * `mistral4` MoE (MLA attention, `shape.experts` experts, `shape.used` used, 1 shared) with a 32 k
 * SentencePiece vocabulary plus Mistral's control tokens: the shape of Codestral's v3 tokenizer,
 * which has `[PREFIX]`/`[SUFFIX]`.
 */
async function buildMistral4(shape: MoeShape): Promise<Buffer> {
    const rng = mulberry32(0x6d69);
    const vocabPath = await ensureVocabulary('llama-spm', fixtureCacheDir);
    const writer = new GgufWriter()
        .setString('general.architecture', 'mistral4')
        .setString('general.name', shape.name)
        .setU32('general.file_type', 7);
    // The SentencePiece vocabulary already has `<s>` and `</s>`.
    const vocab = copyTokenizer(writer, await readGgufMetadata(vocabPath), { append: mistralControlTokens.filter(token => token !== '<s>' && token !== '</s>') });
    writer
        .setU32('tokenizer.ggml.bos_token_id', vocab.idOf('<s>'))
        .setU32('tokenizer.ggml.eos_token_id', vocab.idOf('</s>'))
        .setBool('tokenizer.ggml.add_bos_token', true)
        .setBool('tokenizer.ggml.add_eos_token', false);
    if (shape.chatTemplate) {
        writer.setString('tokenizer.chat_template', mistral4ChatTemplate);
    }
    const V = vocab.tokens.length;
    const E = width;
    const s = { heads: 8, qLora: 256, kvLora: 128, rope: 32, nope: 64, vMla: 64, experts: shape.experts, used: shape.used, ff: 512 };
    const kMla = s.nope + s.rope;
    const a = 'mistral4';
    writer
        .setU32(`${a}.context_length`, 8192).setU32(`${a}.embedding_length`, E).setU32(`${a}.block_count`, shape.layers)
        .setU32(`${a}.feed_forward_length`, s.ff * 2).setU32(`${a}.attention.head_count`, s.heads).setU32(`${a}.attention.head_count_kv`, 1)
        .setF32(`${a}.attention.layer_norm_rms_epsilon`, 1e-5).setU32(`${a}.attention.q_lora_rank`, s.qLora)
        .setU32(`${a}.attention.kv_lora_rank`, s.kvLora).setU32(`${a}.attention.key_length`, s.kvLora + s.rope)
        .setU32(`${a}.attention.value_length`, s.kvLora).setU32(`${a}.attention.key_length_mla`, kMla)
        .setU32(`${a}.attention.value_length_mla`, s.vMla).setU32(`${a}.rope.dimension_count`, s.rope).setF32(`${a}.rope.freq_base`, 1e6)
        .setU32(`${a}.expert_count`, s.experts).setU32(`${a}.expert_used_count`, s.used).setU32(`${a}.expert_feed_forward_length`, s.ff)
        .setU32(`${a}.expert_shared_count`, 1).setU32(`${a}.leading_dense_block_count`, 0).setF32(`${a}.expert_weights_scale`, 1)
        .setBool(`${a}.expert_weights_norm`, true).setU32(`${a}.expert_gating_func`, 1).setU32(`${a}.vocab_size`, V);
    writer
        .addTensor('token_embd.weight', [E, V], noise(rng, E * V, 1), 'Q8_0')
        .addTensor('output_norm.weight', [E], filled(E, 1), 'F32')
        .addTensor('output.weight', [E, V], noise(rng, E * V), 'Q8_0');
    for (let l = 0; l < shape.layers; l++) {
        const p = `blk.${l}`;
        writer
            .addTensor(`${p}.attn_norm.weight`, [E], filled(E, 1), 'F32')
            .addTensor(`${p}.attn_q_a.weight`, [E, s.qLora], noise(rng, E * s.qLora), 'Q8_0')
            .addTensor(`${p}.attn_q_a_norm.weight`, [s.qLora], filled(s.qLora, 1), 'F32')
            .addTensor(`${p}.attn_q_b.weight`, [s.qLora, s.heads * kMla], noise(rng, s.qLora * s.heads * kMla), 'Q8_0')
            .addTensor(`${p}.attn_kv_a_mqa.weight`, [E, s.kvLora + s.rope], noise(rng, E * (s.kvLora + s.rope)), 'Q8_0')
            .addTensor(`${p}.attn_kv_a_norm.weight`, [s.kvLora], filled(s.kvLora, 1), 'F32')
            // F16/Q8_0 here aborts context creation on AMX CPUs (see the synthetic-model notes).
            .addTensor(`${p}.attn_k_b.weight`, [s.nope, s.kvLora, s.heads], noise(rng, s.nope * s.kvLora * s.heads), 'F32')
            .addTensor(`${p}.attn_v_b.weight`, [s.kvLora, s.vMla, s.heads], noise(rng, s.kvLora * s.vMla * s.heads), 'F32')
            .addTensor(`${p}.attn_output.weight`, [s.heads * s.vMla, E], noise(rng, s.heads * s.vMla * E), 'Q8_0')
            .addTensor(`${p}.ffn_norm.weight`, [E], filled(E, 1), 'F32')
            .addTensor(`${p}.ffn_gate_inp.weight`, [E, s.experts], noise(rng, E * s.experts, 1), 'F32')
            .addTensor(`${p}.ffn_gate_exps.weight`, [E, s.ff, s.experts], noise(rng, E * s.ff * s.experts), 'Q8_0')
            .addTensor(`${p}.ffn_up_exps.weight`, [E, s.ff, s.experts], noise(rng, E * s.ff * s.experts), 'Q8_0')
            .addTensor(`${p}.ffn_down_exps.weight`, [s.ff, E, s.experts], noise(rng, s.ff * E * s.experts), 'Q8_0')
            .addTensor(`${p}.ffn_gate_shexp.weight`, [E, s.ff], noise(rng, E * s.ff), 'Q8_0')
            .addTensor(`${p}.ffn_up_shexp.weight`, [E, s.ff], noise(rng, E * s.ff), 'Q8_0')
            .addTensor(`${p}.ffn_down_shexp.weight`, [s.ff, E], noise(rng, s.ff * E), 'Q8_0');
    }
    return writer.toBuffer();
}

/**
 * Dense `qwen2` architecture (GQA 8/2, q/k/v biases) with the StarCoder2 vocabulary: its FIM tokens and
 * the repo-level `<repo_name>`/`<file_sep>` markers, so Bora's stable-first suffix layout applies.
 */
async function buildDense(): Promise<Buffer> {
    const rng = mulberry32(0x7177);
    const vocabPath = await ensureVocabulary('starcoder', fixtureCacheDir);
    const writer = new GgufWriter()
        .setString('general.architecture', 'qwen2')
        .setString('general.name', 'Bench dense (StarCoder2 vocabulary, random weights)')
        .setU32('general.file_type', 7);
    const vocab = copyTokenizer(writer, await readGgufMetadata(vocabPath));
    writer.setU32('tokenizer.ggml.eos_token_id', vocab.idOf('<|endoftext|>')).setBool('tokenizer.ggml.add_bos_token', false);
    const V = vocab.tokens.length;
    const E = width;
    const heads = 8;
    const kvDim = (E / heads) * 2;
    const ff = 1536;
    const a = 'qwen2';
    writer
        .setU32(`${a}.context_length`, 8192).setU32(`${a}.embedding_length`, E).setU32(`${a}.block_count`, layers)
        .setU32(`${a}.feed_forward_length`, ff).setU32(`${a}.attention.head_count`, heads).setU32(`${a}.attention.head_count_kv`, 2)
        .setF32(`${a}.attention.layer_norm_rms_epsilon`, 1e-6).setU32(`${a}.rope.dimension_count`, E / heads)
        .setF32(`${a}.rope.freq_base`, 1e6).setU32(`${a}.vocab_size`, V);
    // No output.weight: qwen2 then ties the output to the embedding, as small code models do.
    writer
        .addTensor('token_embd.weight', [E, V], noise(rng, E * V, 1), 'Q8_0')
        .addTensor('output_norm.weight', [E], filled(E, 1), 'F32');
    for (let l = 0; l < layers; l++) {
        const p = `blk.${l}`;
        writer
            .addTensor(`${p}.attn_norm.weight`, [E], filled(E, 1), 'F32')
            .addTensor(`${p}.attn_q.weight`, [E, E], noise(rng, E * E), 'Q8_0')
            .addTensor(`${p}.attn_k.weight`, [E, kvDim], noise(rng, E * kvDim), 'Q8_0')
            .addTensor(`${p}.attn_v.weight`, [E, kvDim], noise(rng, E * kvDim), 'Q8_0')
            .addTensor(`${p}.attn_q.bias`, [E], noise(rng, E), 'F32')
            .addTensor(`${p}.attn_k.bias`, [kvDim], noise(rng, kvDim), 'F32')
            .addTensor(`${p}.attn_v.bias`, [kvDim], noise(rng, kvDim), 'F32')
            .addTensor(`${p}.attn_output.weight`, [E, E], noise(rng, E * E), 'Q8_0')
            .addTensor(`${p}.ffn_norm.weight`, [E], filled(E, 1), 'F32')
            .addTensor(`${p}.ffn_gate.weight`, [E, ff], noise(rng, E * ff), 'Q8_0')
            .addTensor(`${p}.ffn_up.weight`, [E, ff], noise(rng, E * ff), 'Q8_0')
            .addTensor(`${p}.ffn_down.weight`, [ff, E], noise(rng, ff * E), 'Q8_0');
    }
    return writer.toBuffer();
}
