import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Vocabulary-only GGUFs that llama.cpp keeps under `models/` for its tokenizer tests. */
export type VocabularyName =
    | 'llama-spm' | 'llama-bpe' | 'qwen2' | 'qwen35' | 'starcoder' | 'deepseek-coder' | 'deepseek-llm'
    | 'gpt-2' | 'phi-3' | 'falcon' | 'mpt' | 'command-r' | 'refact' | 'gemma-4';

interface LlamaCppSource {
    readonly bundlePath: string;
    readonly version: string;
}

let sourceInfo: LlamaCppSource | undefined;

/** node-llama-cpp ships llama.cpp as a git bundle; its vocab files are real, tested tokenizers. */
export function getLlamaCppSource(): LlamaCppSource {
    if (sourceInfo) return sourceInfo;
    let dir = dirname(createRequire(import.meta.url).resolve('node-llama-cpp'));
    for (;;) {
        const pkgPath = join(dir, 'package.json');
        if (existsSync(pkgPath)) {
            const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { name?: string; version?: string };
            if (pkg.name === 'node-llama-cpp') {
                sourceInfo = { bundlePath: join(dir, 'llama', 'gitRelease.bundle'), version: pkg.version ?? 'unknown' };
                return sourceInfo;
            }
        }
        const parent = dirname(dir);
        if (parent === dir) throw new Error('Cannot find the node-llama-cpp package root');
        dir = parent;
    }
}

const pending = new Map<string, Promise<string>>();

/**
 * Extracts `models/ggml-vocab-<name>.gguf` from node-llama-cpp's llama.cpp bundle into
 * `<cacheDir>/vocab-<node-llama-cpp version>/` and returns its path. Idempotent; concurrent calls
 * share one extraction, and files appear atomically (temp file + rename) for other processes.
 */
export function ensureVocabulary(name: VocabularyName, cacheDir: string): Promise<string> {
    const { version } = getLlamaCppSource();
    const target = join(cacheDir, `vocab-${version}`, `ggml-vocab-${name}.gguf`);
    let job = pending.get(target);
    if (!job) {
        job = extractVocabulary(name, cacheDir, target);
        job.catch(() => pending.delete(target));
        pending.set(target, job);
    }
    return job;
}

async function extractVocabulary(name: VocabularyName, cacheDir: string, target: string): Promise<string> {
    if (existsSync(target)) return target;
    const gitDir = await ensureBareClone(cacheDir);
    const { stdout } = await execFileAsync('git', ['--git-dir', gitDir, 'cat-file', 'blob', `HEAD:models/ggml-vocab-${name}.gguf`], {
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024
    });
    await writeAtomically(target, stdout);
    return target;
}

let clonePromise: Promise<string> | undefined;

function ensureBareClone(cacheDir: string): Promise<string> {
    clonePromise ??= (async () => {
        const { bundlePath, version } = getLlamaCppSource();
        const gitDir = join(cacheDir, `llama.cpp-${version}.git`);
        if (existsSync(join(gitDir, 'HEAD'))) return gitDir;
        await mkdir(cacheDir, { recursive: true });
        const temp = `${gitDir}.tmp-${process.pid}-${Date.now()}`;
        // A bare clone of the local bundle takes about a second and never touches the network.
        await execFileAsync('git', ['clone', '--bare', '--quiet', bundlePath, temp]);
        try {
            await rename(temp, gitDir);
        } catch (err) {
            // Another process won the race; its clone is as good as ours.
            await rm(temp, { recursive: true, force: true });
            if (!existsSync(join(gitDir, 'HEAD'))) throw err;
        }
        return gitDir;
    })();
    clonePromise.catch(() => { clonePromise = undefined; });
    return clonePromise;
}

export async function writeAtomically(target: string, data: Buffer): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.tmp-${process.pid}-${Math.floor(performance.now() * 1000)}`;
    await writeFile(temp, data);
    await rename(temp, target);
}
