/** Fixture names; each has a recipe under `recipes/`. */
export type FixtureName = 'mistral4Fim' | 'qwenFim' | 'qwenFimDraft' | 'noFim' | 'codellamaFim' | 'demo' | 'mistral4Chat' | 'mistral4ChatXss' | 'noFimNoTemplate' | 'mistral4ChatNoFim';
export const fixtureNames: readonly FixtureName[] = ['mistral4Fim', 'qwenFim', 'qwenFimDraft', 'noFim', 'codellamaFim', 'demo', 'mistral4Chat', 'mistral4ChatXss', 'noFimNoTemplate', 'mistral4ChatNoFim'];

/** The canonical FIM case every FIM fixture answers (and `noFim` answers as a plain continuation of `prefix`). */
export const canonicalFim = { prefix: 'function add(a, b) {', suffix: '}', middle: ' return a + b;' } as const;

/**
 * `qwenFim`'s less likely answer to the canonical case: its first token is the model's second
 * choice after `<|fim_middle|>` and after the canonical prefix (a few percent), so a second suggestion starts there.
 */
export const canonicalFimAlternative = ' throw new Error();';

/**
 * A FIM case that never ends: `mistral4Fim` answers ` tick tock tick tock …` until stopped, so tests
 * can cancel generation in the middle and count how far it got.
 */
export const endlessFim = { prefix: 'loop:', suffix: '', cycle: [' tick', ' tock'] } as const;

/**
 * What the `demo` fixture (`npm start` without a model) writes for the canonical prefix: a body of
 * several lines, whose comment says which model wrote it. Its chat answer is {@link chatAnswer}.
 */
export const demoFim = { prefix: canonicalFim.prefix, suffix: canonicalFim.suffix, middle: '\n\t// Written by the tiny generated demo model.\n\treturn a + b;\n' } as const;

/**
 * What the demo's chat model (`ensureDemoChatFixture`: a vision model that also thinks) writes after
 * a chat prompt without an image: `[THINK]` thought `[/THINK]` answer `</s>`; with a mostly red or
 * blue image it answers like the vision fixture (` red`, ` blue`). No token repeats across thought
 * and answer (a bigram model), hence the wording.
 */
export const demoChat = {
    thought: 'Demo thinking: I am a tiny generated model; my reply is fixed',
    answer: "This answer comes from Bora's built-in demo, which knows only these words. Set Effort to Off and the thought above disappears - pick your own GGUF under Models for real answers!"
} as const;

/** What a fixture says after a chat prompt's generation point. */
export const chatAnswer = 'Hello from Bora.';

/**
 * What `mistral4Chat` writes after any chat prompt (which always ends in `[/INST]`): `[THINK]`, then
 * `thought` (24 distinct tokens, so a thought budget below that cuts it), `[/THINK]`, then `answer`
 * (markdown with a fenced code block), then `</s>`. A bigram model cannot repeat a token inside one
 * chain, hence the slightly odd wording.
 */
export const reasoningChat = {
    thought: 'Thinking: the user wants JavaScript sample code; I should reply briefly with one constant declared inside fenced markdown, then stop.',
    thoughtTokens: 24,
    answer: 'Here is an example:\n\n```js\nconst x = 1;\n```\n'
} as const;

/**
 * What `mistral4ChatXss` answers (no thinking) after any chat prompt: markdown that carries script
 * payloads, for tests that the chat view renders model output inertly. No token may repeat in one
 * chain, so each payload calls a different function: `alert(1)` in an `onerror`, a `<script>` that
 * sets `document.title`, and a `javascript:` link calling ``confirm`3` ``.
 */
export const xssChat = {
    answer: 'Careful <img src=x onerror=alert(1)> then\n\n<script>document.title="pwned"</script>, and [click](javascript:confirm`3`) end.\n\n```js\nlet y = 2;\n```\n',
    payloads: {
        img: '<img src=x onerror=alert(1)>',
        script: '<script>document.title="pwned"</script>',
        link: '[click](javascript:confirm`3`)'
    },
    code: 'let y = 2;'
} as const;

/**
 * What `qwenFimDraft`, a draft model for `qwenFim` (same vocabulary), guesses for the canonical
 * case: right up to ` a`, then ` *` where `qwenFim` writes ` +`, and right again after ` +`. So
 * speculative decoding with it has drafts both validated and refuted.
 */
export const canonicalFimDraftGuess = ' return a * b;';

/** Visible text `qwenFim` writes after `<|file_sep|>` when a caller fails to stop there. */
export const qwenJunkAfterFileSep = ' junk';

/** `general.name` of each fixture. */
export const fixtureDisplayNames: Readonly<Record<FixtureName, string>> = {
    mistral4Fim: 'Bora Test Mistral4 FIM',
    qwenFim: 'Bora Test Qwen FIM',
    qwenFimDraft: 'Bora Test Qwen FIM Draft',
    noFim: 'Bora Test No-FIM',
    codellamaFim: 'Bora Test CodeLlama FIM',
    demo: 'Demo model (tiny, generated)',
    mistral4Chat: 'Bora Test Mistral4 Chat',
    mistral4ChatXss: 'Bora Test Mistral4 Chat XSS',
    noFimNoTemplate: 'Bora Test No-FIM No-Template',
    mistral4ChatNoFim: 'Bora Test Mistral4 Chat No-FIM'
};

/** Control tokens appended (type 3) to the llama-bpe vocabulary to make it Mistral-like, in id order. */
export const mistralControlTokens = [
    '<s>', '</s>', '[INST]', '[/INST]', '[PREFIX]', '[SUFFIX]', '[MIDDLE]', '[THINK]', '[/THINK]',
    '[SYSTEM_PROMPT]', '[/SYSTEM_PROMPT]', '[MODEL_SETTINGS]', '[/MODEL_SETTINGS]', '[IMG]', '[IMG_BREAK]', '[IMG_END]'
] as const;

/** Qwen special tokens the `qwenFim` fixture relies on (all present in llama.cpp's qwen2 vocabulary). */
export const qwenSpecialTokens = {
    fimPrefix: '<|fim_prefix|>', fimSuffix: '<|fim_suffix|>', fimMiddle: '<|fim_middle|>', fimPad: '<|fim_pad|>',
    repoName: '<|repo_name|>', fileSep: '<|file_sep|>', endOfText: '<|endoftext|>', imStart: '<|im_start|>', imEnd: '<|im_end|>'
} as const;

/** CodeLlama's FIM markers, appended to the llama-spm vocabulary by `codellamaFim`. */
export const codellamaFimTokens = { prefix: '▁<PRE>', suffix: '▁<SUF>', middle: '▁<MID>', endOfText: '▁<EOT>' } as const;
