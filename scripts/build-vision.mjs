// Builds Bora's vision addon (dist/native/bora-vision.node): llama.cpp's tools/mtmd from the source
// node-llama-cpp ships (its llama/gitRelease.bundle) plus src/runtime/vision/native/addon.cpp, linked
// against node-llama-cpp's prebuilt libllama/libggml for this platform. Idempotent: skipped when the
// inputs have not changed. Installs cmake and g++ with apt-get when they are missing and we are root.
// The `*.patch` files in src/runtime/vision/native are applied to that source with `git apply`
// (each says why at its top); the extracted tree's name carries their hash, so a new patch means a
// fresh extraction, never a second application.
//
//   node scripts/build-vision.mjs [--force]
//
// Never fails the caller: without a compiler or on an unsupported platform it writes the reason to
// dist/native/bora-vision.unavailable.txt and exits 0; the runtime reports it as `visionUnavailable`.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLlamaGitDir, extractLlamaSource } from './llamaSource.mjs';
import { ensureBuildTools, has } from './buildToolchain.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nativeDir = join(root, 'src/runtime/vision/native');
const outDir = join(root, 'dist/native');
const output = join(outDir, 'bora-vision.node');
const unavailableFile = join(outDir, 'bora-vision.unavailable.txt');
const cacheDir = join(root, '.cache/vision');

/** Folders of the llama.cpp tree that the addon compiles or includes. */
const sourcePaths = ['tools/mtmd', 'include', 'ggml/include', 'vendor/hash', 'vendor/miniaudio', 'vendor/stb', 'vendor/sheredom'];

function log(line) {
	console.log(`[build-vision] ${line}`);
}

function fail(reason) {
	mkdirSync(outDir, { recursive: true });
	rmSync(output, { force: true });
	writeFileSync(unavailableFile, `${reason}\n`);
	log(`vision addon not built: ${reason}`);
	process.exit(0);
}

function nodeLlamaCpp() {
	const pkgDir = join(root, 'node_modules/node-llama-cpp');
	const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
	const platformPackage = { 'linux-x64': 'linux-x64', 'linux-arm64': 'linux-arm64' }[`${process.platform}-${process.arch}`];
	if (!platformPackage) fail(`the vision addon is built on Linux x64/arm64 only for now, not ${process.platform}-${process.arch}`);
	const bins = join(root, 'node_modules/@node-llama-cpp', platformPackage, 'bins', platformPackage);
	if (!existsSync(join(bins, 'libllama.v0.4.0.so'))) fail(`node-llama-cpp's prebuilt libllama is missing in ${relative(root, bins)}`);
	return { bundle: join(pkgDir, 'llama/gitRelease.bundle'), version, bins };
}

/** Fixes to llama.cpp's mtmd that Bora carries until they are upstream, in name order. */
function sourcePatches() {
	return readdirSync(nativeDir).filter(file => file.endsWith('.patch')).sort().map(file => join(nativeDir, file));
}

/** The source from the bare clone of node-llama-cpp's bundle (scripts/llamaSource.mjs), patched. */
function ensureSource({ bundle, version }) {
	const patches = sourcePatches();
	const patchHash = createHash('sha256');
	for (const patch of patches) patchHash.update(readFileSync(patch));
	const srcDir = join(cacheDir, `llama.cpp-${version}${patches.length ? `-${patchHash.digest('hex').slice(0, 8)}` : ''}`);
	if (existsSync(join(srcDir, 'tools/mtmd/mtmd.h'))) return srcDir;
	const gitDir = ensureLlamaGitDir({ bundle, version });
	const temp = `${srcDir}.tmp-${process.pid}`;
	rmSync(temp, { recursive: true, force: true });
	mkdirSync(temp, { recursive: true });
	extractLlamaSource(gitDir, temp, sourcePaths);
	for (const patch of patches) {
		log(`applying ${relative(root, patch)}`);
		execFileSync('git', ['apply', '--whitespace=nowarn', patch], { cwd: temp });
	}
	rmSync(srcDir, { recursive: true, force: true });
	execFileSync('mv', ['-T', temp, srcDir]);
	return srcDir;
}

function inputsHash(llama) {
	const hash = createHash('sha256');
	hash.update(`${llama.version}\n${process.version}\n${process.platform}-${process.arch}\n`);
	for (const file of readdirSync(nativeDir).sort()) hash.update(file).update(readFileSync(join(nativeDir, file)));
	return hash.digest('hex').slice(0, 16);
}

const started = Date.now();
const llama = nodeLlamaCpp();
const stamp = inputsHash(llama);
const stampFile = join(outDir, 'bora-vision.stamp');
if (!process.argv.includes('--force') && existsSync(output) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) {
	log('up to date');
	process.exit(0);
}
ensureBuildTools({ log, fail, rerun: 'npm run build' });
const srcDir = ensureSource(llama);
const buildDir = join(cacheDir, 'build');
const nodeInclude = join(dirname(dirname(process.execPath)), 'include/node');
if (!existsSync(join(nodeInclude, 'node_api.h'))) fail(`Node's headers are missing (${nodeInclude}/node_api.h)`);
// At run time the addon finds node-llama-cpp's libraries relative to itself (dist/native → node_modules).
const runpath = `$ORIGIN/${relative(outDir, llama.bins)}`;
const generator = has('ninja') ? ['-G', 'Ninja'] : [];
const cmake = (args) => {
	const result = spawnSync('cmake', args, { stdio: 'inherit' });
	if (result.status !== 0) fail(`cmake ${args[0]} failed (exit ${result.status}); see the output above`);
};
cmake(['-S', nativeDir, '-B', buildDir, ...generator, '-DCMAKE_BUILD_TYPE=Release', `-DLLAMA_SRC=${srcDir}`,
	`-DLLAMA_BINS=${llama.bins}`, `-DNODE_INCLUDE=${nodeInclude}`, `-DRUNPATH=${runpath}`, '--log-level=WARNING']);
cmake(['--build', buildDir, '--parallel', String(Math.max(1, cpus().length))]);
mkdirSync(outDir, { recursive: true });
copyFileSync(join(buildDir, 'bora-vision.node'), output);
writeFileSync(stampFile, `${stamp}\n`);
rmSync(unavailableFile, { force: true });
log(`built ${relative(root, output)} in ${Math.round((Date.now() - started) / 1000)}s`);
