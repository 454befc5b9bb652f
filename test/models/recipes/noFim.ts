import { llama2ChatTemplate } from '../chatTemplates.js';
import { canonicalFim, chatAnswer, fixtureDisplayNames, type FixtureName } from '../expectations.js';
import { seedOf, type FixtureRecipe } from '../FixtureRecipe.js';
import { GgufWriter } from '../GgufWriter.js';
import { readGgufMetadata } from '../GgufReader.js';
import { writeDenseLookup } from '../denseWeights.js';
import { ChainBuilder } from '../LookupPlan.js';
import { mulberry32 } from '../mulberry32.js';
import { copyTokenizer } from '../tokenizerKeys.js';
import { ensureVocabulary } from '../vocabularies.js';

/**
 * Dense `llama` with the llama-spm (Llama 2) vocabulary: no FIM tokens at all. A plain prompt ending
 * in `function add(a, b) {` continues with ` return a + b;` `</s>`; every other prompt (a chat
 * prompt included) is answered `Hello from Bora.` `</s>`. SPM: `LlamaCompletion` drops the first
 * generated token's leading space; `detokenize(tokens, false, promptTokens)` keeps it.
 */
export const noFimRecipe: FixtureRecipe = noFimVariant('noFim', true);

/** `noFimNoTemplate`: the same weights without `tokenizer.chat_template`, so it can neither do FIM nor be asked as an instruct model. */
export const noFimNoTemplateRecipe: FixtureRecipe = noFimVariant('noFimNoTemplate', false);

function noFimVariant(name: FixtureName, withChatTemplate: boolean): FixtureRecipe {
    return {
        name,
        version: 1,
        async build({ cacheDir, tokenizer }) {
            const vocabPath = await ensureVocabulary('llama-spm', cacheDir);
            const writer = new GgufWriter()
                .setString('general.architecture', 'llama')
                .setString('general.name', fixtureDisplayNames[name])
                .setU32('general.file_type', 7);

            const vocab = copyTokenizer(writer, await readGgufMetadata(vocabPath));
            const eos = vocab.idOf('</s>');
            if (withChatTemplate) writer.setString('tokenizer.chat_template', llama2ChatTemplate);

            const prefixTokens = await tokenizer.tokenize(vocabPath, canonicalFim.prefix);
            const middle = await tokenizer.continuation(vocabPath, canonicalFim.prefix, canonicalFim.middle);
            const answer = await tokenizer.tokenize(vocabPath, chatAnswer);
            const plan = new ChainBuilder()
                .add([prefixTokens.at(-1)!, ...middle, eos])
                .add([...answer, eos])
                .plan(answer[0]!);

            writeDenseLookup(writer, 'llama', plan, vocab.tokens.length, mulberry32(seedOf('noFim')));
            return writer.toBuffer();
        }
    };
}
