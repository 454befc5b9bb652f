import { mistral4ChatTemplate } from '../chatTemplates.js';
import { fixtureDisplayNames, mistralControlTokens, reasoningChat, xssChat, type FixtureName } from '../expectations.js';
import { seedOf, type FixtureRecipe } from '../FixtureRecipe.js';
import { GgufWriter } from '../GgufWriter.js';
import { readGgufMetadata } from '../GgufReader.js';
import { ChainBuilder } from '../LookupPlan.js';
import { writeMistral4Lookup } from '../mistral4Weights.js';
import { mulberry32 } from '../mulberry32.js';
import { copyTokenizer } from '../tokenizerKeys.js';
import { ensureVocabulary } from '../vocabularies.js';

/**
 * `mistral4` chat models with the Mistral Small 4 chat template (`reasoning_effort` none/high,
 * `[THINK]`/`[/THINK]` as control tokens). The prompt of a chat always ends in `[/INST]`, and a
 * lookup model sees only the last token, so each fixture has exactly one answer:
 *
 * - `mistral4Chat`: `[/INST]` → `[THINK]` thought `[/THINK]` answer `</s>` ({@link reasoningChat});
 *   the model thinks whatever the effort, which lets tests see a budget close the thought.
 * - `mistral4ChatXss`: `[/INST]` → markdown with script payloads `</s>` ({@link xssChat}), no thinking.
 *
 * Every other last token answers `</s>`. No FIM: these are chat models.
 */
export const mistral4ChatRecipe = chatRecipe('mistral4Chat', ({ think, endThink, thought, answer }) => [think, ...thought, endThink, ...answer]);
export const mistral4ChatXssRecipe = chatRecipe('mistral4ChatXss', ({ xss }) => xss);
/** `mistral4ChatNoFim`: `mistral4Chat` without `[PREFIX]`/`[SUFFIX]`/`[MIDDLE]` in its vocabulary, for chat-model completion. */
export const mistral4ChatNoFimRecipe = chatRecipe('mistral4ChatNoFim', ({ think, endThink, thought, answer }) => [think, ...thought, endThink, ...answer], { withFimTokens: false });

interface ChainParts {
    readonly think: number;
    readonly endThink: number;
    readonly thought: readonly number[];
    readonly answer: readonly number[];
    readonly xss: readonly number[];
}

/**
 * `mistral4Chat` with another chat template, for tests that write it at test time (a hostile
 * template): the same vocabulary and answers, only `tokenizer.chat_template` differs. Without FIM
 * tokens it is `mistral4ChatNoFim`'s twin, for chat-model completion.
 */
export function mistral4ChatWithTemplateRecipe(chatTemplate: string, { withFimTokens = true } = {}): FixtureRecipe {
    return chatRecipe(withFimTokens ? 'mistral4Chat' : 'mistral4ChatNoFim', ({ think, endThink, thought, answer }) => [think, ...thought, endThink, ...answer], { chatTemplate, withFimTokens });
}

function chatRecipe(name: FixtureName, reply: (parts: ChainParts) => readonly number[], { withFimTokens = true, chatTemplate = mistral4ChatTemplate } = {}): FixtureRecipe {
    return {
        name,
        version: 1,
        async build({ cacheDir, tokenizer }) {
            const vocabPath = await ensureVocabulary('llama-bpe', cacheDir);
            const writer = new GgufWriter()
                .setString('general.architecture', 'mistral4')
                .setString('general.name', fixtureDisplayNames[name])
                .setU32('general.file_type', 7); // mostly Q8_0

            // [PREFIX]/[SUFFIX] stay in the vocabulary (ids as in mistral4Fim); the weights just never answer FIM prompts.
            const vocab = copyTokenizer(writer, await readGgufMetadata(vocabPath), { append: withFimTokens ? mistralControlTokens : mistralControlTokens.filter(token => !['[PREFIX]', '[SUFFIX]', '[MIDDLE]'].includes(token)) });
            const eos = vocab.idOf('</s>');
            writer
                .setU32('tokenizer.ggml.bos_token_id', vocab.idOf('<s>'))
                .setU32('tokenizer.ggml.eos_token_id', eos)
                .setBool('tokenizer.ggml.add_bos_token', true)
                .setBool('tokenizer.ggml.add_eos_token', false)
                .setString('tokenizer.chat_template', chatTemplate);

            const parts: ChainParts = {
                think: vocab.idOf('[THINK]'),
                endThink: vocab.idOf('[/THINK]'),
                thought: await tokenizer.tokenize(vocabPath, reasoningChat.thought),
                answer: await tokenizer.tokenize(vocabPath, reasoningChat.answer),
                xss: await tokenizer.tokenize(vocabPath, xssChat.answer)
            };
            if (parts.thought.length !== reasoningChat.thoughtTokens)
                throw new Error(`The thought has ${parts.thought.length} tokens, expected ${reasoningChat.thoughtTokens}`);
            const describe = (tokens: readonly number[]) => JSON.stringify(tokens.map(t => vocab.tokens[t]));
            const plan = new ChainBuilder()
                .add([vocab.idOf('[/INST]'), ...reply(parts), eos], describe)
                .plan(eos);

            writeMistral4Lookup(writer, plan, vocab.tokens.length, mulberry32(seedOf(name)));
            return writer.toBuffer();
        }
    };
}
