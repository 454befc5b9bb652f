/**
 * Builds every fixture model: `node <bundle> [--out DIR]`. `--out` overrides the cache folder
 * (same as BORA_TEST_CACHE). Prints each path, size and build time.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

const outIndex = process.argv.indexOf('--out');
if (outIndex >= 0) {
    const dir = process.argv[outIndex + 1];
    if (!dir) throw new Error('--out needs a folder');
    process.env['BORA_TEST_CACHE'] = resolve(dir);
}

// Imported after the environment is set: the cache folder is fixed when the module loads.
const { ensureFixtureModel, fixtureNames } = await import('./fixtures.js');

for (const name of fixtureNames) {
    const started = performance.now();
    const path = await ensureFixtureModel(name);
    const seconds = (performance.now() - started) / 1000;
    const megabytes = statSync(path).size / 1024 / 1024;
    console.log(`${name.padEnd(16)} ${megabytes.toFixed(2).padStart(6)} MB ${seconds.toFixed(2).padStart(6)} s  ${path}`);
}
