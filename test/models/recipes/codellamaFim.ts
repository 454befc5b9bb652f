import { llama2ChatTemplate } from '../chatTemplates.js';
import { canonicalFim, codellamaFimTokens, fixtureDisplayNames } from '../expectations.js';
import { seedOf, type FixtureRecipe } from '../FixtureRecipe.js';
import { GgufWriter } from '../GgufWriter.js';
import { readGgufMetadata } from '../GgufReader.js';
import { writeDenseLookup } from '../denseWeights.js';
import { ChainBuilder } from '../LookupPlan.js';
import { mulberry32 } from '../mulberry32.js';
import { copyTokenizer } from '../tokenizerKeys.js';
import { ensureVocabulary } from '../vocabularies.js';

/**
 * Dense `llama` with the llama-spm vocabulary plus CodeLlama's `▁<PRE>`, `▁<SUF>`, `▁<MID>`, `▁<EOT>`.
 * `<s>▁<PRE> function add(a, b) {▁<SUF>}▁<MID>` → `▁return ▁a ▁+ ▁b ;` `▁<EOT>`, and the same after
 * `…▁<MID>function add(a, b) {`, where Bora's engine puts the cursor line. Its value is the
 * SentencePiece pitfall: the first generated token's leading space is lost unless the runtime
 * detokenizes with the prompt as context.
 */
export const codellamaFimRecipe: FixtureRecipe = {
    name: 'codellamaFim',
    version: 2,
    async build({ cacheDir, tokenizer }) {
        const vocabPath = await ensureVocabulary('llama-spm', cacheDir);
        const writer = new GgufWriter()
            .setString('general.architecture', 'llama')
            .setString('general.name', fixtureDisplayNames.codellamaFim)
            .setU32('general.file_type', 7);

        const vocab = copyTokenizer(writer, await readGgufMetadata(vocabPath), { append: Object.values(codellamaFimTokens) });
        writer.setString('tokenizer.chat_template', llama2ChatTemplate);
        const eos = vocab.idOf('</s>');
        const middle = await tokenizer.continuation(vocabPath, canonicalFim.prefix, canonicalFim.middle);
        const lineEnd = (await tokenizer.tokenize(vocabPath, canonicalFim.prefix)).at(-1)!;
        const plan = new ChainBuilder()
            .add([vocab.idOf(codellamaFimTokens.middle), ...middle, vocab.idOf(codellamaFimTokens.endOfText)])
            .add([lineEnd, ...middle])
            .plan(eos);

        writeDenseLookup(writer, 'llama', plan, vocab.tokens.length, mulberry32(seedOf('codellamaFim')));
        return writer.toBuffer();
    }
};
