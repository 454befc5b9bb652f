import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mistral4ChatTemplate } from '../chatTemplates.js';
import { demoChat, mistralControlTokens } from '../expectations.js';
import { fixtureCacheDir } from '../fixtures.js';
import { FixtureTokenizer } from '../FixtureTokenizer.js';
import { GgufWriter } from '../GgufWriter.js';
import { readGgufMetadata } from '../GgufReader.js';
import { ChainBuilder } from '../LookupPlan.js';
import { filled, noise } from '../lookupWeights.js';
import { mulberry32 } from '../mulberry32.js';
import { copyTokenizer } from '../tokenizerKeys.js';
import { ensureVocabulary, getLlamaCppSource, writeAtomically } from '../vocabularies.js';
import { writeMistral4Vision, type VisionDims } from './visionLlmWeights.js';

/**
 * A Pixtral-style vision pair: `visionMmproj` (a ~140 KB `clip` GGUF, projector `pixtral`) and
 * `visionMistral4` (a `mistral4` chat model with the Mistral Small 4 template). Greedy answers depend
 * on the image: mostly red → {@link visionAnswers.red}, mostly blue → `blue`, white → `white` (empty).
 *
 * How: the patch embedding measures red−green and blue−green; the vision blocks are identities
 * (zero output projections); the projector maps the two measures onto two residual dims of the LLM
 * (R, B). In the LLM, queries are zero, so `[/INST]` attends uniformly to every earlier position and
 * reads the mean R/B of the image tokens (text tokens write nothing into the attention values); the
 * shared expert, gated by the `[/INST]` slot, turns R into ` red` and B into ` blue`, outweighing
 * the lookup's `</s>`. The answer token's successor is `</s>`.
 */
export const visionAnswers = { red: ' red', blue: ' blue', white: '' } as const;

export interface VisionFixture {
    readonly modelPath: string;
    readonly mmprojPath: string;
}

/** One vision pair: its file names, its display name, and what `[/INST]` leads to without an image. */
interface VisionPairRecipe {
    readonly name: string;
    readonly version: number;
    readonly displayName: string;
    /** Tokens after `[/INST]` (before `</s>`) when the image pushes no colour. Defaults to none. */
    readonly textReply?: (parts: { readonly tokenize: (text: string) => Promise<number[]>; readonly idOf: (token: string) => number }) => Promise<readonly number[]>;
}

const visionPair: VisionPairRecipe = { name: 'vision', version: 1, displayName: 'Bora Test Mistral4 Vision' };

/**
 * The chat model of `npm start` without a model: the vision pair, except that a prompt without an
 * image is answered like `mistral4Chat`, with a thought and an answer ({@link demoChat}) that say
 * they come from a tiny generated model. Red and blue images still answer ` red` and ` blue`.
 */
const demoChatPair: VisionPairRecipe = {
    name: 'demoChat',
    version: 1,
    displayName: 'Demo chat model (tiny, generated)',
    textReply: async ({ tokenize, idOf }) => [idOf('[THINK]'), ...await tokenize(demoChat.thought), idOf('[/THINK]'), ...await tokenize(demoChat.answer)],
};

/** Vision encoder width and the pixtral patch size. */
const encoderWidth = 32;
const patchSize = 14;

const pending = new Map<string, Promise<VisionFixture>>();

/** Builds (once, cached next to the other fixtures) the vision model and its projector. */
export function ensureVisionFixture(): Promise<VisionFixture> {
    return ensurePair(visionPair);
}

/** Builds (once, cached next to the other fixtures) the demo's chat model, which thinks and sees, and its projector. */
export function ensureDemoChatFixture(): Promise<VisionFixture> {
    return ensurePair(demoChatPair);
}

function ensurePair(recipe: VisionPairRecipe): Promise<VisionFixture> {
    let job = pending.get(recipe.name);
    if (!job) {
        job = build(recipe);
        job.catch(() => pending.delete(recipe.name));
        pending.set(recipe.name, job);
    }
    return job;
}

async function build(recipe: VisionPairRecipe): Promise<VisionFixture> {
    // The original pair keeps its original hash (and so its cached files).
    const keyed = recipe === visionPair ? { recipeVersion: recipe.version } : { recipe: recipe.name, recipeVersion: recipe.version };
    const key = createHash('sha256').update(JSON.stringify({ ...keyed, llamaCpp: getLlamaCppSource().version })).digest('hex').slice(0, 12);
    const [model, mmproj] = recipe === visionPair ? ['visionMistral4', 'visionMmproj'] : [recipe.name, `${recipe.name}Mmproj`];
    const modelPath = join(fixtureCacheDir, `${model}-${key}.gguf`);
    const mmprojPath = join(fixtureCacheDir, `${mmproj}-${key}.gguf`);
    if (existsSync(modelPath) && existsSync(mmprojPath)) return { modelPath, mmprojPath };
    const { bytes, dims } = await buildLlm(recipe);
    await writeAtomically(mmprojPath, buildPixtralMmproj(dims, recipe.displayName));
    await writeAtomically(modelPath, bytes);
    return { modelPath, mmprojPath };
}

async function buildLlm({ displayName, textReply }: VisionPairRecipe): Promise<{ bytes: Buffer; dims: VisionDims }> {
    const vocabPath = await ensureVocabulary('llama-bpe', fixtureCacheDir);
    const tokenizer = await FixtureTokenizer.create();
    try {
        const writer = new GgufWriter()
            .setString('general.architecture', 'mistral4')
            .setString('general.name', displayName)
            .setU32('general.file_type', 7);
        const vocab = copyTokenizer(writer, await readGgufMetadata(vocabPath), { append: mistralControlTokens });
        const eos = vocab.idOf('</s>');
        writer
            .setU32('tokenizer.ggml.bos_token_id', vocab.idOf('<s>'))
            .setU32('tokenizer.ggml.eos_token_id', eos)
            .setBool('tokenizer.ggml.add_bos_token', true)
            .setBool('tokenizer.ggml.add_eos_token', false)
            .setString('tokenizer.chat_template', mistral4ChatTemplate);
        const [red] = await tokenizer.tokenize(vocabPath, visionAnswers.red);
        const [blue] = await tokenizer.tokenize(vocabPath, visionAnswers.blue);
        if (red === undefined || blue === undefined) throw new Error('Cannot tokenize the vision answers');
        const reply = textReply ? await textReply({ tokenize: text => tokenizer.tokenize(vocabPath, text), idOf: token => vocab.idOf(token) }) : [];
        // [PREFIX] and [SUFFIX] never occur in a chat prompt; their chains only give ` red`/` blue`
        // next-token slots (and output rows). `[/INST]` itself is followed by `</s>` (or the text reply).
        const plan = new ChainBuilder()
            .add([vocab.idOf('[PREFIX]'), red, eos])
            .add([vocab.idOf('[SUFFIX]'), blue, eos])
            .add([vocab.idOf('[/INST]'), ...reply, eos], tokens => JSON.stringify(tokens.map(t => vocab.tokens[t])))
            .plan(eos);
        const dims = writeMistral4Vision(writer, plan, vocab.tokens.length, mulberry32(0x7e51),
            { instSlot: plan.currentSlotOf(vocab.idOf('[/INST]')), redNext: plan.nextDimOf(red)!, blueNext: plan.nextDimOf(blue)! });
        return { bytes: writer.toBuffer(), dims };
    } finally {
        await tokenizer.dispose();
    }
}

/**
 * The pixtral projector: measures colour per patch and writes it into the LLM's R and B dims (of an
 * LLM `width` wide), named after its model. Defaults to the vision fixture's name.
 */
export function buildPixtralMmproj({ width, r, b }: VisionDims, displayName = visionPair.displayName): Buffer {
    const n = encoderWidth;
    const ff = 32;
    const rng = mulberry32(0x9a1e);
    const writer = new GgufWriter()
        .setString('general.architecture', 'clip')
        .setString('general.name', `${displayName} projector`)
        .setU32('general.file_type', 0)
        .setBool('clip.has_vision_encoder', true)
        .setString('clip.projector_type', 'pixtral')
        .setBool('clip.use_silu', true)
        .setU32('clip.vision.image_size', 1024)
        .setU32('clip.vision.patch_size', patchSize)
        .setU32('clip.vision.embedding_length', n)
        .setU32('clip.vision.feed_forward_length', ff)
        .setU32('clip.vision.block_count', 1)
        .setU32('clip.vision.projection_dim', width)
        .setU32('clip.vision.attention.head_count', 2)
        .setF32('clip.vision.attention.layer_norm_epsilon', 1e-5)
        .set('clip.vision.image_mean', { type: 'array', itemType: 'f32', value: [0.5, 0.5, 0.5] })
        .set('clip.vision.image_std', { type: 'array', itemType: 'f32', value: [0.5, 0.5, 0.5] });

    // Conv kernel ne = [kw, kh, in channel, out channel]. Pixels arrive normalised to [-1, 1].
    // Channel 0 = mean(R − G), channel 1 = mean(B − G) over the patch: red ≈ 2, blue ≈ 2, white 0.
    const area = patchSize * patchSize;
    const conv = new Float32Array(patchSize * patchSize * 3 * n);
    const at = (oc: number, ic: number) => (oc * 3 + ic) * area;
    for (let i = 0; i < area; i++) {
        conv[at(0, 0) + i] = 1 / area;
        conv[at(0, 1) + i] = -1 / area;
        conv[at(1, 2) + i] = 1 / area;
        conv[at(1, 1) + i] = -1 / area;
    }
    writer.addTensor('v.patch_embd.weight', [patchSize, patchSize, 3, n], conv, 'F32');

    // One block that changes nothing: real attention and FFN kernels run, their outputs are zeroed.
    const p = 'v.blk.0';
    writer
        .addTensor(`${p}.ln1.weight`, [n], filled(n, 1), 'F32')
        .addTensor(`${p}.ln2.weight`, [n], filled(n, 1), 'F32')
        .addTensor(`${p}.attn_q.weight`, [n, n], noise(rng, n * n), 'F32')
        .addTensor(`${p}.attn_k.weight`, [n, n], noise(rng, n * n), 'F32')
        .addTensor(`${p}.attn_v.weight`, [n, n], noise(rng, n * n), 'F32')
        .addTensor(`${p}.attn_out.weight`, [n, n], filled(n * n, 0), 'F32')
        .addTensor(`${p}.ffn_gate.weight`, [n, ff], noise(rng, n * ff), 'F32')
        .addTensor(`${p}.ffn_up.weight`, [n, ff], noise(rng, n * ff), 'F32')
        .addTensor(`${p}.ffn_down.weight`, [ff, n], filled(ff * n, 0), 'F32');

    // mm.1 (+ bias −0.5, GELU) keeps a colour only when the patch clearly has it; mm.2 routes it to R/B.
    const mm1 = new Float32Array(n * n);
    mm1[0 * n + 0] = 1;
    mm1[1 * n + 1] = 1;
    const mm1Bias = new Float32Array(n);
    mm1Bias[0] = -0.5;
    mm1Bias[1] = -0.5;
    const mm2 = new Float32Array(n * width);
    mm2[r * n + 0] = 1;
    mm2[b * n + 1] = 1;
    writer
        .addTensor('mm.1.weight', [n, n], mm1, 'F32')
        .addTensor('mm.1.bias', [n], mm1Bias, 'F32')
        .addTensor('mm.2.weight', [n, width], mm2, 'F32')
        .addTensor('mm.2.bias', [width], filled(width, 0), 'F32')
        .addTensor('v.token_embd.img_break', [width], filled(width, 0), 'F32');
    return writer.toBuffer();
}
