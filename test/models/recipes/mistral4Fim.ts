import { mistral4ChatTemplate } from '../chatTemplates.js';
import { canonicalFim, chatAnswer, demoFim, endlessFim, fixtureDisplayNames, mistralControlTokens } from '../expectations.js';
import { seedOf, type FixtureRecipe } from '../FixtureRecipe.js';
import { GgufWriter } from '../GgufWriter.js';
import { readGgufMetadata } from '../GgufReader.js';
import { ChainBuilder } from '../LookupPlan.js';
import { writeMistral4Lookup } from '../mistral4Weights.js';
import { mulberry32 } from '../mulberry32.js';
import { copyTokenizer } from '../tokenizerKeys.js';
import { ensureVocabulary } from '../vocabularies.js';

/**
 * `mistral4` MoE with a Mistral-like vocabulary: llama-bpe plus appended control tokens, whose own
 * `<s>`/`</s>` serve as BOS/EOS. No `tokenizer.ggml.fim_*` keys and no scan-matching FIM strings,
 * so llama.cpp reports no FIM support and the runtime must find [PREFIX]/[SUFFIX] itself.
 *
 * Answers (`mistral4Fim`): `<s>[SUFFIX]}[PREFIX]function add(a, b) {` → ` return a + b;` `</s>`;
 * `…[PREFIX]loop:` → ` tick tock tick tock …` forever (for cancellation tests);
 * any prompt ending in `[/INST]` → `Hello from Bora.` `</s>`; anything else → `</s>`.
 */
export const mistral4FimRecipe = mistral4Recipe('mistral4Fim');

/**
 * The completion model of `npm start` when no model is configured, under a name that says what it
 * is: the same vocabulary (so it can draft for `mistral4Fim`), but the canonical prefix gets a body of
 * several lines ({@link demoFim}) and `loop:` is not continued.
 */
export const demoRecipe = mistral4Recipe('demo');

function mistral4Recipe(name: 'mistral4Fim' | 'demo'): FixtureRecipe {
    return {
        name,
        version: name === 'demo' ? 3 : 2,
        async build({ cacheDir, tokenizer }) {
            const vocabPath = await ensureVocabulary('llama-bpe', cacheDir);
            const writer = new GgufWriter()
                .setString('general.architecture', 'mistral4')
                .setString('general.name', fixtureDisplayNames[name])
                .setU32('general.file_type', 7); // mostly Q8_0

            const vocab = copyTokenizer(writer, await readGgufMetadata(vocabPath), { append: mistralControlTokens });
            const bos = vocab.idOf('<s>');
            const eos = vocab.idOf('</s>');
            writer
                .setU32('tokenizer.ggml.bos_token_id', bos)
                .setU32('tokenizer.ggml.eos_token_id', eos)
                .setBool('tokenizer.ggml.add_bos_token', true)
                .setBool('tokenizer.ggml.add_eos_token', false)
                .setString('tokenizer.chat_template', mistral4ChatTemplate);

            const prefixTokens = await tokenizer.tokenize(vocabPath, canonicalFim.prefix);
            const answer = await tokenizer.tokenize(vocabPath, chatAnswer);
            const chains = new ChainBuilder();
            if (name === 'demo') {
                // ` {` + `\n` would merge into one token, so the body is tokenized on its own: what
                // the model generates after the prefix's last token, not how the whole text tokenizes.
                chains.add([prefixTokens.at(-1)!, ...await tokenizer.tokenize(vocabPath, demoFim.middle), eos]);
            } else {
                const middle = await tokenizer.continuation(vocabPath, canonicalFim.prefix, canonicalFim.middle);
                const endlessStart = (await tokenizer.tokenize(vocabPath, endlessFim.prefix)).at(-1)!;
                const cycle = await tokenizer.continuation(vocabPath, endlessFim.prefix, endlessFim.cycle.join(''));
                chains
                    .add([prefixTokens.at(-1)!, ...middle, eos])
                    .add([endlessStart, ...cycle, cycle[0]!]);
            }
            chains.add([vocab.idOf('[/INST]'), ...answer, eos]);
            const plan = chains.plan(eos);

            writeMistral4Lookup(writer, plan, vocab.tokens.length, mulberry32(seedOf('mistral4Fim')));
            return writer.toBuffer();
        }
    };
}
