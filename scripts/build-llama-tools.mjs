// Builds llama.cpp's own `llama-server` and `llama-bench` (CPU only, statically linked) from the
// source node-llama-cpp ships, into .cache/llama-tools/<version>/bin/. They are the baseline the
// benchmark (test/bench/llamaServer.bench.ts) measures Bora against, and the server the remote
// engine's tests talk to. Skipped when the stamp says the binaries match this source and Node.
// Installs cmake and g++ with apt-get when they are missing and we are root.
//
//   node scripts/build-llama-tools.mjs [--force]
//
// `npm test` runs it before the build (the remote engine's integration tests need llama-server); the
// first build compiles most of llama.cpp (about 10 minutes on 2 cores), later runs skip it.
// Exits 1 with the reason when it cannot build; test/support/llamaTools.ts reads the result.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { ensureLlamaGitDir, extractLlamaSource, nodeLlamaCppSource, root } from './llamaSource.mjs';
import { ensureBuildTools, has } from './buildToolchain.mjs';

/** The binaries built, in the order test/support/llamaTools.ts expects them. */
const targets = ['llama-server', 'llama-bench'];

function log(line) {
	console.log(`[build-llama-tools] ${line}`);
}

function fail(reason) {
	log(`not built: ${reason}`);
	process.exit(1);
}

const started = Date.now();
const source = nodeLlamaCppSource();
const toolsDir = join(root, '.cache/llama-tools', source.version);
const binDir = join(toolsDir, 'bin');
const stampFile = join(binDir, 'stamp');
// GGML_NATIVE tunes for this CPU, so the stamp names the machine too: a copied cache is rebuilt.
const stamp = `${source.version} ${process.platform}-${process.arch} ${cpus()[0]?.model ?? 'unknown cpu'}`;
const built = targets.every(target => existsSync(join(binDir, target)));
if (!process.argv.includes('--force') && built && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) {
	log(`up to date in ${relative(root, binDir)}`);
	process.exit(0);
}
ensureBuildTools({ log, fail, rerun: 'this script' });

const srcDir = join(toolsDir, 'src');
if (!existsSync(join(srcDir, 'CMakeLists.txt'))) {
	const gitDir = ensureLlamaGitDir(source);
	const temp = `${srcDir}.tmp-${process.pid}`;
	rmSync(temp, { recursive: true, force: true });
	mkdirSync(temp, { recursive: true });
	extractLlamaSource(gitDir, temp);
	rmSync(srcDir, { recursive: true, force: true });
	spawnSync('mv', ['-T', temp, srcDir], { stdio: 'inherit' });
}

const buildDir = join(toolsDir, 'build');
const generator = has('ninja') ? ['-G', 'Ninja'] : [];
const cmake = (args) => {
	const result = spawnSync('cmake', args, { stdio: 'inherit' });
	if (result.status !== 0) fail(`cmake ${args[0]} failed (exit ${result.status}); see the output above`);
};
// Only what the two tools need: no tests, examples, unified app, web UI (whose prebuilt assets
// would be downloaded) or HTTPS; static so the binaries do not depend on the build folder.
cmake(['-S', srcDir, '-B', buildDir, ...generator, '-DCMAKE_BUILD_TYPE=Release', '--log-level=WARNING',
	'-DBUILD_SHARED_LIBS=OFF', '-DGGML_NATIVE=ON', '-DLLAMA_BUILD_TESTS=OFF', '-DLLAMA_BUILD_EXAMPLES=OFF',
	'-DLLAMA_BUILD_APP=OFF', '-DLLAMA_BUILD_UI=OFF', '-DLLAMA_USE_PREBUILT_UI=OFF', '-DLLAMA_OPENSSL=OFF',
	'-DLLAMA_CURL=OFF', '-DLLAMA_BUILD_SERVER=ON', '-DLLAMA_BUILD_TOOLS=ON']);
cmake(['--build', buildDir, '--parallel', String(Math.max(1, cpus().length)), '--target', ...targets]);
mkdirSync(binDir, { recursive: true });
for (const target of targets) {
	copyFileSync(join(buildDir, 'bin', target), join(binDir, target));
	spawnSync('chmod', ['755', join(binDir, target)]);
}
writeFileSync(stampFile, `${stamp}\n`);
log(`built ${targets.join(', ')} in ${relative(root, binDir)} in ${Math.round((Date.now() - started) / 1000)}s`);
