// Builds Bora's expert-placement addon (dist/native/bora-placement.node) from
// src/runtime/loading/native/placement.cpp: it gives llama.cpp's tensor_buft_overrides to
// node-llama-cpp's model object before the load (bora.moe.cpuExperts). Compiled against the headers
// node-llama-cpp ships (its llama/addon/AddonModel.h, node-addon-api, and llama.h from its
// llama/gitRelease.bundle), so the object layout is that of the installed prebuilt addon; it links no
// llama.cpp library. One C++ file; seconds. Idempotent: skipped when the inputs have not changed.
//
//   node scripts/build-placement.mjs [--force]
//
// Never fails the caller: without a compiler or on Windows it writes the reason to
// dist/native/bora-placement.unavailable.txt and exits 0; loads then fall back to layer offload with
// the notice `expertPlacementUnavailable`.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuildTools, has, optionalAddonBuild } from './buildToolchain.mjs';
import { ensureLlamaGitDir, extractLlamaSource, nodeLlamaCppSource } from './llamaSource.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nativeDir = join(root, 'src/runtime/loading/native');
const outDir = join(root, 'dist/native');
const output = join(outDir, 'bora-placement.node');
const unavailableFile = join(outDir, 'bora-placement.unavailable.txt');
const cacheDir = join(root, '.cache/placement');
const addonSrc = join(root, 'node_modules/node-llama-cpp/llama/addon');
const nodeAddonApi = join(root, 'node_modules/node-addon-api');

const { log, fail } = optionalAddonBuild({ tag: 'build-placement', what: 'expert-placement addon', outputs: () => [output], unavailableFile });

/** The headers that fix AddonModel's layout: node-llama-cpp's addon and node-addon-api, hashed into the stamp. */
function layoutHeaders() {
	return [join(addonSrc, 'AddonModel.h'), join(addonSrc, 'addonGlobals.h'), join(addonSrc, 'globals/addonProgress.h'), join(nodeAddonApi, 'napi.h'), join(nodeAddonApi, 'napi-inl.h')];
}

/** llama.h and ggml's headers of the llama.cpp node-llama-cpp ships, extracted once per version. */
function ensureHeaders(source) {
	const srcDir = join(cacheDir, `llama.cpp-${source.version}`);
	if (existsSync(join(srcDir, 'include/llama.h'))) return srcDir;
	const temp = `${srcDir}.tmp-${process.pid}`;
	rmSync(temp, { recursive: true, force: true });
	mkdirSync(temp, { recursive: true });
	extractLlamaSource(ensureLlamaGitDir(source), temp, ['include', 'ggml/include']);
	rmSync(srcDir, { recursive: true, force: true });
	execFileSync('mv', ['-T', temp, srcDir]);
	return srcDir;
}

if (process.platform === 'win32') fail('the expert-placement addon is built on Linux and macOS only for now');
for (const header of layoutHeaders()) {
	if (!existsSync(header)) fail(`${relative(root, header)} is missing: node-llama-cpp or node-addon-api is not installed as expected`);
}
const source = nodeLlamaCppSource();
const hash = createHash('sha256').update(`${source.version}\n${process.version}\n${process.platform}-${process.arch}\n`);
for (const file of readdirSync(nativeDir).sort()) hash.update(file).update(readFileSync(join(nativeDir, file)));
for (const header of layoutHeaders()) hash.update(readFileSync(header));
const stamp = hash.digest('hex').slice(0, 16);
const stampFile = join(outDir, 'bora-placement.stamp');
if (!process.argv.includes('--force') && existsSync(output) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) {
	log('up to date');
	process.exit(0);
}
const started = Date.now();
ensureBuildTools({ log, fail, rerun: 'npm run build' });
const nodeInclude = join(dirname(dirname(process.execPath)), 'include/node');
if (!existsSync(join(nodeInclude, 'node_api.h'))) fail(`Node's headers are missing (${nodeInclude}/node_api.h)`);
const headers = ensureHeaders(source);
const buildDir = join(cacheDir, 'build');
const cmake = (args) => {
	const result = spawnSync('cmake', args, { stdio: 'inherit' });
	if (result.status !== 0) fail(`cmake ${args[0]} failed (exit ${result.status}); see the output above`);
};
const generator = has('ninja') ? ['-G', 'Ninja'] : [];
cmake(['-S', nativeDir, '-B', buildDir, ...generator, '-DCMAKE_BUILD_TYPE=Release', `-DLLAMA_INCLUDE=${join(headers, 'include')}`,
	`-DGGML_INCLUDE=${join(headers, 'ggml/include')}`, `-DADDON_SRC=${addonSrc}`, `-DNODE_ADDON_API=${nodeAddonApi}`,
	`-DNODE_INCLUDE=${nodeInclude}`, '--log-level=WARNING']);
cmake(['--build', buildDir]);
mkdirSync(outDir, { recursive: true });
copyFileSync(join(buildDir, 'bora-placement.node'), output);
writeFileSync(stampFile, `${stamp}\n`);
rmSync(unavailableFile, { force: true });
log(`built ${relative(root, output)} in ${Math.round((Date.now() - started) / 1000)}s`);
