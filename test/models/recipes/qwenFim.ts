import { chatMlTemplate } from '../chatTemplates.js';
import { canonicalFim, canonicalFimAlternative, canonicalFimDraftGuess, chatAnswer, fixtureDisplayNames, qwenJunkAfterFileSep, qwenSpecialTokens } from '../expectations.js';
import { seedOf, type FixtureRecipe } from '../FixtureRecipe.js';
import { GgufWriter } from '../GgufWriter.js';
import { readGgufMetadata } from '../GgufReader.js';
import { writeDenseLookup } from '../denseWeights.js';
import { ChainBuilder } from '../LookupPlan.js';
import { mulberry32 } from '../mulberry32.js';
import { copyTokenizer, TokenType } from '../tokenizerKeys.js';
import { ensureVocabulary } from '../vocabularies.js';

/**
 * llama.cpp's qwen2 test vocabulary is Qwen2's, with `[PAD151646…]` placeholders where Qwen2.5 put
 * its added tokens; restore them at their Qwen2.5(-Coder) ids so prompts use the real ids.
 */
const qwen25AddedTokens: ReadonlyMap<number, { text: string; type: number }> = new Map([
    '<|object_ref_start|>', '<|object_ref_end|>', '<|box_start|>', '<|box_end|>', '<|quad_start|>', '<|quad_end|>',
    '<|vision_start|>', '<|vision_end|>', '<|vision_pad|>', '<|image_pad|>', '<|video_pad|>', '<tool_call>', '</tool_call>',
    '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>'
].map((text, i) => [151646 + i, { text, type: text.includes('tool_call') ? TokenType.userDefined : TokenType.control }]));

/**
 * Dense `qwen2` with the Qwen2.5 vocabulary (FIM tokens found by llama.cpp's own vocabulary scan).
 * A bigram model only sees the last token, so the answer chain starts both at `<|fim_middle|>` and
 * at the canonical prefix's last token ` {`, where Bora's engine puts the cursor line (after the
 * middle marker): `<|fim_prefix|>function add(a, b) {<|fim_suffix|>}<|fim_middle|>` and
 * `<|fim_prefix|><|fim_suffix|>}<|fim_middle|>function add(a, b) {` → ` return a + b;` `<|file_sep|>`,
 * and a caller that does not stop there gets ` junk` `<|endoftext|>`; the second choice after either
 * (a few percent) leads to ` throw new Error();` `<|file_sep|>`. A ChatML prompt (ending in
 * `<|im_start|>assistant\n`) → `Hello from Bora.` `<|im_end|>`.
 */
export const qwenFimRecipe: FixtureRecipe = {
    name: 'qwenFim',
    version: 3,
    async build({ cacheDir, tokenizer }) {
        const { writer, vocab, vocabPath, endOfText } = await qwenWriter(cacheDir, 'qwenFim');
        const t = qwenSpecialTokens;

        const lineEnd = (await tokenizer.tokenize(vocabPath, canonicalFim.prefix)).at(-1)!;
        const middle = await tokenizer.tokenize(vocabPath, canonicalFim.middle);
        const junk = await tokenizer.tokenize(vocabPath, qwenJunkAfterFileSep);
        const alternative = await tokenizer.tokenize(vocabPath, canonicalFimAlternative);
        const generationPrompt = await tokenizer.tokenize(vocabPath, '\n');
        const answer = await tokenizer.tokenize(vocabPath, chatAnswer);
        const plan = new ChainBuilder()
            .add([vocab.idOf(t.fimMiddle), ...middle, vocab.idOf(t.fileSep), ...junk, endOfText])
            .add([generationPrompt.at(-1)!, ...answer, vocab.idOf(t.imEnd)])
            .add([lineEnd, ...middle])
            .branch([vocab.idOf(t.fimMiddle), ...alternative, vocab.idOf(t.fileSep)])
            .branch([lineEnd, ...alternative])
            .plan(endOfText);

        writeDenseLookup(writer, 'qwen2', plan, vocab.tokens.length, mulberry32(seedOf('qwenFim')));
        return writer.toBuffer();
    }
};

/**
 * A draft model for `qwenFim`: the same vocabulary and special tokens, and a plan that guesses
 * `canonicalFimDraftGuess` for the canonical case (` *` where `qwenFim` writes ` +`; after ` +` it
 * agrees again), so speculative decoding with it meets both validated and refuted drafts.
 */
export const qwenFimDraftRecipe: FixtureRecipe = {
    name: 'qwenFimDraft',
    version: 1,
    async build({ cacheDir, tokenizer }) {
        const { writer, vocab, vocabPath, endOfText } = await qwenWriter(cacheDir, 'qwenFimDraft');
        const t = qwenSpecialTokens;
        const lineEnd = (await tokenizer.tokenize(vocabPath, canonicalFim.prefix)).at(-1)!;
        const guess = await tokenizer.tokenize(vocabPath, canonicalFimDraftGuess);
        const middle = await tokenizer.tokenize(vocabPath, canonicalFim.middle);
        const plus = middle.find(token => !guess.includes(token))!;
        const afterPlus = middle[middle.indexOf(plus) + 1]!;
        const plan = new ChainBuilder()
            .add([vocab.idOf(t.fimMiddle), ...guess, vocab.idOf(t.fileSep), endOfText])
            .add([lineEnd, ...guess])
            .add([plus, afterPlus])
            .plan(endOfText);
        writeDenseLookup(writer, 'qwen2', plan, vocab.tokens.length, mulberry32(seedOf('qwenFimDraft')));
        return writer.toBuffer();
    }
};

/** A qwen2 writer with the Qwen2.5 vocabulary, EOS and ChatML template `qwenFim` and its draft share. */
async function qwenWriter(cacheDir: string, name: 'qwenFim' | 'qwenFimDraft') {
    const vocabPath = await ensureVocabulary('qwen2', cacheDir);
    const writer = new GgufWriter()
        .setString('general.architecture', 'qwen2')
        .setString('general.name', fixtureDisplayNames[name])
        .setU32('general.file_type', 7);
    const vocab = copyTokenizer(writer, await readGgufMetadata(vocabPath), { replace: qwen25AddedTokens });
    const endOfText = vocab.idOf(qwenSpecialTokens.endOfText);
    writer
        .setU32('tokenizer.ggml.eos_token_id', endOfText)
        .setBool('tokenizer.ggml.add_bos_token', false) // as in Qwen2.5 conversions
        .setString('tokenizer.chat_template', chatMlTemplate);
    return { writer, vocab, vocabPath, endOfText };
}
