import type { GgufWriter } from './GgufWriter.js';
import type { GgufScalar, GgufValue } from './ggufTypes.js';

/** llama.cpp token types (llama.h `llama_token_type`). */
export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface CopiedVocabulary {
    readonly tokens: readonly string[];
    idOf(text: string): number;
}

export interface TokenizerEdits {
    /** Control tokens added after the last id. */
    readonly append?: readonly string[];
    /** Placeholder ids (e.g. `[PAD151659]`) given a real token text and type. */
    readonly replace?: ReadonlyMap<number, { readonly text: string; readonly type: number }>;
}

/**
 * Copies every `tokenizer.*` key of a vocabulary GGUF (typed, so it round-trips exactly), applying
 * `edits`; appended tokens get neutral scores when the vocabulary has scores.
 */
export function copyTokenizer(writer: GgufWriter, source: ReadonlyMap<string, GgufValue>, edits: TokenizerEdits = {}): CopiedVocabulary {
    const controlTokens = edits.append ?? [];
    const tokens = arrayOf(source, 'tokenizer.ggml.tokens').map(String);
    const types = [...arrayOf(source, 'tokenizer.ggml.token_type')];
    for (const [id, { text, type }] of edits.replace ?? []) {
        if (id >= tokens.length) throw new Error(`Cannot replace token ${id}: vocabulary has ${tokens.length}`);
        tokens[id] = text;
        types[id] = type;
    }
    for (const t of controlTokens) if (tokens.includes(t)) throw new Error(`Vocabulary already has ${t}`);

    for (const [key, value] of source) {
        if (!key.startsWith('tokenizer.')) continue;
        if (key === 'tokenizer.ggml.tokens') {
            writer.set(key, { type: 'array', itemType: 'string', value: [...tokens, ...controlTokens] });
        } else if (key === 'tokenizer.ggml.token_type') {
            writer.set(key, { type: 'array', itemType: 'i32', value: [...types, ...controlTokens.map(() => TokenType.control)] });
        } else if (key === 'tokenizer.ggml.scores' && value.type === 'array') {
            writer.set(key, { type: 'array', itemType: value.itemType, value: [...value.value, ...controlTokens.map(() => 0)] });
        } else {
            writer.set(key, value);
        }
    }
    const all = [...tokens, ...controlTokens];
    const index = new Map<string, number>();
    all.forEach((t, i) => { if (!index.has(t)) index.set(t, i); });
    return {
        tokens: all,
        idOf(text: string): number {
            const id = index.get(text);
            if (id === undefined) throw new Error(`Token ${JSON.stringify(text)} is not in the vocabulary`);
            return id;
        }
    };
}

function arrayOf(source: ReadonlyMap<string, GgufValue>, key: string): readonly GgufScalar[] {
    const value = source.get(key);
    if (value?.type !== 'array') throw new Error(`Vocabulary has no array ${key}`);
    return value.value;
}
