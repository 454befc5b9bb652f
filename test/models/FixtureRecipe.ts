import type { FixtureName } from './expectations.js';
import type { FixtureTokenizer } from './FixtureTokenizer.js';

export interface FixtureBuildContext {
    readonly cacheDir: string;
    readonly tokenizer: FixtureTokenizer;
}

export interface FixtureRecipe {
    readonly name: FixtureName;
    /** Part of the cache key: bump whenever the bytes this recipe writes change. */
    readonly version: number;
    build(context: FixtureBuildContext): Promise<Buffer>;
}

/** Fixed seed per fixture so the noise weights, and therefore the file, never change between runs. */
export function seedOf(name: FixtureName): number {
    let h = 2166136261;
    for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
    return h >>> 0;
}
