// Builds Bora's vision addon: llama.cpp's tools/mtmd from the source node-llama-cpp ships (its
// llama/gitRelease.bundle) plus src/runtime/vision/native/*.cpp, linked against node-llama-cpp's
// prebuilt libllama/libggml. One addon per prebuilt backend installed for this platform, because
// each backend's libraries have their own names and the addon must use the very libraries
// node-llama-cpp loaded (one llama.cpp in the process, one llama_model shared with chat):
//
//   dist/native/bora-vision.node          the CPU build          (libllama.v0.4.0.so / .dylib / llama.v0.4.0.dll)
//   dist/native/bora-vision.cuda.node     the CUDA build         (libllama.cuda.v0.4.0.so / llama.cuda.v0.4.0.dll)
//   dist/native/bora-vision.vulkan.node   the Vulkan build
//   dist/native/bora-vision.metal.node    the Metal build (macOS arm64)
//   dist/native/bora-vision.json          which addon goes with which backend and libraries
//
// Linux: g++ (cmake, g++ and make are installed with apt-get when missing and we are root).
// macOS: Apple clang; napi_* resolved at load (-undefined dynamic_lookup), the .dylibs through an
// @loader_path rpath. Windows: MSVC (cmake's Visual Studio generator); napi_* from node.lib, made
// from node-api-headers' .def, with node.exe delay-loaded so VS Code's executable serves them;
// llama.cpp's import libraries are used when node-llama-cpp ships them, else made from the DLLs'
// export tables. Only the Linux build has been run so far.
//
// The `*.patch` files in src/runtime/vision/native are applied to that source with `git apply`
// (each says why at its top); the extracted tree's name carries their hash, so a new patch means a
// fresh extraction, never a second application. Idempotent: skipped when the inputs have not changed.
//
//   node scripts/build-vision.mjs [--force]
//
// Never fails the caller: without a compiler or on an unsupported platform it writes the reason to
// dist/native/bora-vision.unavailable.txt and exits 0; the runtime reports it as `visionUnavailable`.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLlamaGitDir, extractLlamaSource } from './llamaSource.mjs';
import { ensureBuildTools, has, optionalAddonBuild } from './buildToolchain.mjs';
import { writeImportDefinition } from './windowsExports.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nativeDir = join(root, 'src/runtime/vision/native');
const outDir = join(root, 'dist/native');
const manifestFile = join(outDir, 'bora-vision.json');
const unavailableFile = join(outDir, 'bora-vision.unavailable.txt');
const stampFile = join(outDir, 'bora-vision.stamp');
const cacheDir = join(root, '.cache/vision');
const platform = { linux: 'linux', darwin: 'mac', win32: 'win' }[process.platform];

/** Folders of the llama.cpp tree that the addon compiles or includes. */
const sourcePaths = ['tools/mtmd', 'include', 'ggml/include', 'vendor/hash', 'vendor/miniaudio', 'vendor/stb', 'vendor/sheredom'];

/**
 * node-llama-cpp's prebuilt packages per platform, with the backend each one is built for
 * (`cpu` = no GPU). Its packages' folder layout: `@node-llama-cpp/<name>/bins/<name>/`.
 */
const prebuiltPackages = {
	'linux-x64': [['linux-x64', 'cpu'], ['linux-x64-cuda', 'cuda'], ['linux-x64-vulkan', 'vulkan']],
	'linux-arm64': [['linux-arm64', 'cpu']],
	'mac-arm64': [['mac-arm64-metal', 'metal']],
	'mac-x64': [['mac-x64', 'cpu']],
	'win-x64': [['win-x64', 'cpu'], ['win-x64-cuda', 'cuda'], ['win-x64-vulkan', 'vulkan']],
	'win-arm64': [['win-arm64', 'cpu']],
};

const { log, fail } = optionalAddonBuild({
	tag: 'build-vision', what: 'vision addon', unavailableFile,
	// Every backend's addon and the manifest that lists them.
	outputs: () => [
		...(existsSync(outDir) ? readdirSync(outDir) : []).filter(file => /^bora-vision(\.[a-z]+)?\.node$/.test(file)).map(file => join(outDir, file)),
		manifestFile,
	],
});

/** File names in `dir` matching `pattern`, or none when the folder is missing. */
function filesIn(dir, pattern) {
	return existsSync(dir) ? readdirSync(dir).filter(file => pattern.test(file)) : [];
}

/**
 * The libraries of one prebuilt backend: libllama and libggml carry the backend and llama.cpp's
 * release in their names (`libllama.cuda.v0.4.0.so`; no backend part for the CPU build), ggml-base
 * does not. The backend's own name is preferred; any one variant in the folder is taken otherwise
 * (each package holds one build). On Windows the names are the DLLs', linked through their import
 * libraries.
 */
function backendLibraries(bins, backend) {
	const ext = { linux: 'so', mac: 'dylib', win: 'dll' }[platform];
	const prefix = platform === 'win' ? '' : 'lib';
	const find = (name) => {
		const exact = filesIn(bins, new RegExp(`^${prefix}${name}${backend === 'cpu' ? '' : `\\.${backend}`}\\.v[0-9.]+\\.${ext}$`));
		return exact[0] ?? filesIn(bins, new RegExp(`^${prefix}${name}(\\.[a-z0-9_]+)?\\.v[0-9.]+\\.${ext}$`))[0];
	};
	const llama = find('llama');
	const ggml = find('ggml');
	const base = filesIn(bins, new RegExp(`^${prefix}ggml-base\\.${ext}$`))[0];
	return llama && ggml && base ? [llama, ggml, base] : undefined;
}

/** The installed prebuilt backends for this platform, each with its folder and libraries. */
function installedBackends() {
	const key = `${platform}-${process.arch}`;
	const packages = prebuiltPackages[key];
	if (!platform || !packages) fail(`node-llama-cpp has no prebuilt binaries that the vision addon knows for ${process.platform}-${process.arch}`);
	const found = [];
	for (const [name, backend] of packages) {
		const bins = join(root, 'node_modules/@node-llama-cpp', name, 'bins', name);
		const libraries = backendLibraries(bins, backend);
		if (libraries) found.push({ backend, package: name, bins, libraries });
	}
	if (found.length === 0) fail(`none of node-llama-cpp's prebuilt libraries for ${key} are installed (${packages.map(([name]) => `@node-llama-cpp/${name}`).join(', ')})`);
	return found;
}

function nodeLlamaCpp() {
	const pkgDir = join(root, 'node_modules/node-llama-cpp');
	const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
	return { bundle: join(pkgDir, 'llama/gitRelease.bundle'), version, addonDir: join(pkgDir, 'llama/addon') };
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
	// renameSync, not `mv -T`: Windows has no GNU mv. A parallel build that got there first wins.
	try {
		renameSync(temp, srcDir);
	} catch {
		rmSync(temp, { recursive: true, force: true });
	}
	return srcDir;
}

/** node_api.h: Node's own headers next to the executable, else node-api-headers (cmake-js brings it). */
function nodeApiHeaders() {
	const nodeInclude = join(dirname(dirname(process.execPath)), 'include/node');
	if (existsSync(join(nodeInclude, 'node_api.h'))) return { include: nodeInclude, def: undefined };
	try {
		const headers = dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json'));
		return { include: join(headers, 'include'), def: join(headers, 'def/node_api.def') };
	} catch {
		fail(`Node's headers are missing (${nodeInclude}/node_api.h) and node-api-headers is not installed`);
	}
}

/** The node-addon-api that node-llama-cpp compiles its addon with (its own copy first, else the hoisted one). */
function nodeAddonApiDir(llamaPkgDir) {
	for (const dir of [join(llamaPkgDir, 'node_modules/node-addon-api'), join(root, 'node_modules/node-addon-api')]) {
		if (existsSync(join(dir, 'napi.h'))) return dir;
	}
	fail('node-addon-api (a dependency of node-llama-cpp) is not installed');
}

function ensureCompilers() {
	if (platform === 'linux') {
		ensureBuildTools({ log, fail, rerun: 'npm run build' });
	} else if (!has('cmake')) {
		fail(`cmake is missing; install it (${platform === 'mac' ? 'brew install cmake' : 'winget install Kitware.CMake'}) and run npm run build again`);
	} else if (platform === 'mac' && !has('clang++')) {
		fail('clang++ is missing; install the Xcode command line tools (xcode-select --install) and run npm run build again');
	}
	// Windows: cmake's Visual Studio generator finds MSVC itself, and says so when it is missing.
}

/**
 * What CMake links for one backend. Windows links import libraries: node-llama-cpp's own `.lib`
 * when it ships one, else one made (by lib.exe, in CMake) from a `.def` of the DLL's exports.
 */
function linkInputs({ backend, bins, libraries }, buildDir) {
	if (platform !== 'win') return { bins, libs: libraries };
	const libDir = join(buildDir, `implib-${backend}`);
	mkdirSync(libDir, { recursive: true });
	const libs = [];
	for (const dll of libraries) {
		const lib = dll.replace(/\.dll$/, '.lib');
		if (existsSync(join(bins, lib))) {
			copyFileSync(join(bins, lib), join(libDir, lib));
		} else {
			writeImportDefinition(join(bins, dll), join(libDir, dll.replace(/\.dll$/, '.def')));
		}
		libs.push(lib);
	}
	return { bins: libDir, libs };
}

function inputsHash(llama, backends) {
	const hash = createHash('sha256');
	hash.update(`${llama.version}\n${process.version}\n${process.platform}-${process.arch}\n${backends.map(b => `${b.backend}:${b.libraries.join(',')}`).join(';')}\n`);
	for (const file of readdirSync(nativeDir).sort()) hash.update(file).update(readFileSync(join(nativeDir, file)));
	return hash.digest('hex').slice(0, 16);
}

const started = Date.now();
const llama = nodeLlamaCpp();
const backends = installedBackends();
const outputs = backends.map(b => ({ ...b, output: b.backend === 'cpu' ? 'bora-vision' : `bora-vision.${b.backend}` }));
const stamp = inputsHash(llama, backends);
const upToDate = outputs.every(({ output }) => existsSync(join(outDir, `${output}.node`))) && existsSync(manifestFile)
	&& existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp;
if (!process.argv.includes('--force') && upToDate) {
	log('up to date');
	process.exit(0);
}
ensureCompilers();
const srcDir = ensureSource(llama);
const buildDir = join(cacheDir, 'build');
const headers = nodeApiHeaders();
const generator = platform === 'win' ? ['-A', process.arch === 'arm64' ? 'ARM64' : 'x64'] : has('ninja') ? ['-G', 'Ninja'] : [];
const cmake = (args) => {
	const result = spawnSync('cmake', args, { stdio: 'inherit' });
	if (result.status !== 0) fail(`cmake ${args[0]} failed (exit ${result.status}); see the output above`);
};
mkdirSync(buildDir, { recursive: true });
const variantArgs = [`-DVARIANTS=${outputs.map(o => o.backend).join(';')}`];
for (const variant of outputs) {
	const { bins, libs } = linkInputs(variant, buildDir);
	// At run time the addon finds node-llama-cpp's libraries relative to itself (dist/native → node_modules).
	const runpath = `${platform === 'mac' ? '@loader_path' : '$ORIGIN'}/${relative(outDir, variant.bins).replaceAll('\\', '/')}`;
	variantArgs.push(`-DVARIANT_${variant.backend}_BINS=${bins}`, `-DVARIANT_${variant.backend}_LIBS=${libs.join(';')}`,
		`-DVARIANT_${variant.backend}_OUTPUT=${variant.output}`, `-DVARIANT_${variant.backend}_RUNPATH=${runpath}`);
}
const windowsArgs = platform === 'win' ? [`-DNODE_DEF=${headers.def ?? ''}`] : [];
cmake(['-S', nativeDir, '-B', buildDir, ...generator, '-DCMAKE_BUILD_TYPE=Release', `-DLLAMA_SRC=${srcDir}`,
	`-DNODE_INCLUDE=${headers.include}`, `-DNODE_ADDON_API_DIR=${nodeAddonApiDir(dirname(llama.addonDir))}`, `-DNLC_ADDON_DIR=${llama.addonDir}`,
	...variantArgs, ...windowsArgs, '--log-level=WARNING']);
cmake(['--build', buildDir, '--config', 'Release', '--parallel', String(Math.max(1, cpus().length))]);
mkdirSync(outDir, { recursive: true });
const manifest = [];
for (const { backend, output, bins, libraries, package: pkg } of outputs) {
	// Single-config generators (Ninja, Makefiles) write to the build folder, Visual Studio to Release/.
	const built = [join(buildDir, `${output}.node`), join(buildDir, 'Release', `${output}.node`)].find(existsSync);
	if (!built) fail(`cmake built no ${output}.node`);
	copyFileSync(built, join(outDir, `${output}.node`));
	manifest.push({ backend, addon: `${output}.node`, package: pkg, llamaLibrary: libraries[0], bins: relative(outDir, bins).replaceAll('\\', '/') });
	log(`built ${relative(root, join(outDir, `${output}.node`))} for ${backend} (${libraries[0]})`);
}
writeFileSync(manifestFile, `${JSON.stringify({ platform: `${platform}-${process.arch}`, nodeLlamaCpp: llama.version, addons: manifest }, null, '\t')}\n`);
writeFileSync(stampFile, `${stamp}\n`);
rmSync(unavailableFile, { force: true });
log(`done in ${Math.round((Date.now() - started) / 1000)}s`);
