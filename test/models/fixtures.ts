import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureNames, type FixtureName } from './expectations.js';
import { FixtureTokenizer } from './FixtureTokenizer.js';
import type { FixtureRecipe } from './FixtureRecipe.js';
import { codellamaFimRecipe } from './recipes/codellamaFim.js';
import { mistral4ChatNoFimRecipe, mistral4ChatRecipe, mistral4ChatWithTemplateRecipe, mistral4ChatXssRecipe } from './recipes/mistral4Chat.js';
import { demoRecipe, mistral4FimRecipe } from './recipes/mistral4Fim.js';
import { noFimNoTemplateRecipe, noFimRecipe } from './recipes/noFim.js';
import { qwenFimDraftRecipe, qwenFimRecipe } from './recipes/qwenFim.js';
import { getLlamaCppSource, writeAtomically } from './vocabularies.js';

export {
    canonicalFim, canonicalFimAlternative, canonicalFimDraftGuess, chatAnswer, codellamaFimTokens, endlessFim, fixtureDisplayNames, fixtureNames, mistralControlTokens, qwenJunkAfterFileSep, qwenSpecialTokens,
    demoChat, demoFim, reasoningChat, xssChat, type FixtureName
} from './expectations.js';

export interface FixtureModel {
    name: FixtureName;
    path: string;
}

/** Bump when shared generator code (writer, weights, tokenizer copying) changes its output. */
const generatorVersion = 1;

const recipes: Readonly<Record<FixtureName, FixtureRecipe>> = {
    mistral4Fim: mistral4FimRecipe,
    qwenFim: qwenFimRecipe,
    qwenFimDraft: qwenFimDraftRecipe,
    noFim: noFimRecipe,
    codellamaFim: codellamaFimRecipe,
    demo: demoRecipe,
    mistral4Chat: mistral4ChatRecipe,
    mistral4ChatXss: mistral4ChatXssRecipe,
    noFimNoTemplate: noFimNoTemplateRecipe,
    mistral4ChatNoFim: mistral4ChatNoFimRecipe
};

function findRepoRoot(): string {
    // Bundled copies of this file live outside the repo, so fall back to the working directory.
    const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
    for (const start of starts) {
        for (let dir = resolve(start); ; dir = dirname(dir)) {
            const pkg = join(dir, 'package.json');
            if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'bora') return dir;
            if (dirname(dir) === dir) break;
        }
    }
    return process.cwd();
}

/** Where fixtures and extracted vocabularies are cached: `BORA_TEST_CACHE`, else `<repo>/.cache/test-models`. */
export const fixtureCacheDir: string = process.env['BORA_TEST_CACHE'] ?? join(findRepoRoot(), '.cache', 'test-models');

/** File name carries a hash of everything that decides the bytes, so a changed recipe rebuilds. */
export function fixtureFileName(name: FixtureName): string {
    const key = JSON.stringify({ generatorVersion, name, recipe: recipes[name].version, llamaCpp: getLlamaCppSource().version });
    return `${name}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}.gguf`;
}

const pending = new Map<FixtureName, Promise<string>>();
let sharedTokenizer: { tokenizer: Promise<FixtureTokenizer>; users: number } | undefined;

/** Returns the path of a fixture model, building it first when it is missing or outdated. */
export function ensureFixtureModel(name: FixtureName): Promise<string> {
    let job = pending.get(name);
    if (!job) {
        job = buildIfMissing(name);
        job.catch(() => pending.delete(name));
        pending.set(name, job);
    }
    return job;
}

export async function ensureFixtureModels(): Promise<Record<FixtureName, string>> {
    const paths = await Promise.all(fixtureNames.map(ensureFixtureModel));
    return Object.fromEntries(fixtureNames.map((n, i) => [n, paths[i]!])) as Record<FixtureName, string>;
}

export async function listFixtureModels(): Promise<FixtureModel[]> {
    const paths = await ensureFixtureModels();
    return fixtureNames.map(name => ({ name, path: paths[name] }));
}

async function buildIfMissing(name: FixtureName): Promise<string> {
    const path = join(fixtureCacheDir, fixtureFileName(name));
    if (existsSync(path)) return path;
    const tokenizer = await acquireTokenizer();
    try {
        const bytes = await recipes[name].build({ cacheDir: fixtureCacheDir, tokenizer });
        await writeAtomically(path, bytes);
    } finally {
        await releaseTokenizer();
    }
    return path;
}

/**
 * Writes `mistral4Chat` with another chat template to `path` (a temp dir of the test): for inputs
 * that exist only for one test, such as a hostile template. Not cached.
 */
export async function writeChatModelWithTemplate(path: string, chatTemplate: string, options: { readonly withFimTokens?: boolean } = {}): Promise<string> {
    const tokenizer = await acquireTokenizer();
    try {
        await writeAtomically(path, await mistral4ChatWithTemplateRecipe(chatTemplate, options).build({ cacheDir: fixtureCacheDir, tokenizer }));
    } finally {
        await releaseTokenizer();
    }
    return path;
}

/** One llama.cpp instance serves builds that overlap in time; it goes away when the last one ends. */
function acquireTokenizer(): Promise<FixtureTokenizer> {
    sharedTokenizer ??= { tokenizer: FixtureTokenizer.create(), users: 0 };
    sharedTokenizer.users++;
    return sharedTokenizer.tokenizer;
}

async function releaseTokenizer(): Promise<void> {
    if (!sharedTokenizer || --sharedTokenizer.users > 0) return;
    const { tokenizer } = sharedTokenizer;
    sharedTokenizer = undefined;
    await (await tokenizer).dispose();
}
