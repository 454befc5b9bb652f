// `npm run package`: a production build, then a platform-specific .vsix for this machine (or for
// `--target <vsce target>`) at the repository root, with node-llama-cpp and only the prebuilt
// llama.cpp binaries that the target can use. Fails when the package lacks what the extension needs
// at run time, or holds what must not ship.
//
//   node scripts/package.mjs [--target linux-x64] [--skip-build]
//   BORA_PACKAGE_CUDA=1 node scripts/package.mjs     # also ships the CUDA binaries (hundreds of MB)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The `@node-llama-cpp/*` packages each vsce target ships: `cpu` must be there (its llama-addon.node
 * is the fallback that always works), `gpu` ships when installed, `cuda` only with BORA_PACKAGE_CUDA=1.
 */
const llamaPackagesByTarget = {
	'linux-x64': { cpu: 'linux-x64', gpu: ['linux-x64-vulkan'], cuda: ['linux-x64-cuda', 'linux-x64-cuda-ext'] },
	'linux-arm64': { cpu: 'linux-arm64', gpu: [], cuda: [] },
	'linux-armhf': { cpu: 'linux-armv7l', gpu: [], cuda: [] },
	'darwin-arm64': { cpu: 'mac-arm64-metal', gpu: [], cuda: [] },
	'darwin-x64': { cpu: 'mac-x64', gpu: [], cuda: [] },
	'win32-x64': { cpu: 'win-x64', gpu: ['win-x64-vulkan'], cuda: ['win-x64-cuda', 'win-x64-cuda-ext'] },
	'win32-arm64': { cpu: 'win-arm64', gpu: [], cuda: [] },
};

/** The vsce target of this machine. */
export function detectTarget(platform = process.platform, arch = process.arch) {
	if (platform === 'linux') {
		const glibc = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (process.report?.getReport() ?? {}).header?.glibcVersionRuntime;
		const prefix = glibc || platform !== process.platform ? 'linux' : 'alpine';
		const target = { x64: `${prefix}-x64`, arm64: `${prefix}-arm64`, arm: prefix === 'linux' ? 'linux-armhf' : undefined }[arch];
		if (target) {
			return target;
		}
	} else if ((platform === 'darwin' || platform === 'win32') && (arch === 'x64' || arch === 'arm64')) {
		return `${platform}-${arch}`;
	}
	throw new Error(`Bora cannot be packaged for ${platform}-${arch}`);
}

/**
 * @param {{ target?: string, cuda?: boolean, build?: boolean, log?: (line: string) => void }} [options]
 * @returns {Promise<{ vsixPath: string, target: string, bytes: number, entries: ZipEntry[] }>}
 */
export async function packageExtension({ target = detectTarget(), cuda = process.env.BORA_PACKAGE_CUDA === '1', build = true, log = console.log } = {}) {
	const llama = llamaPackagesByTarget[/** @type {keyof typeof llamaPackagesByTarget} */ (target)];
	if (!llama) {
		throw new Error(`node-llama-cpp has no prebuilt binaries for the vsce target "${target}"; supported: ${Object.keys(llamaPackagesByTarget).join(', ')}`);
	}
	const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
	const vsixPath = join(repoRoot, `${manifest.name}-${manifest.version}-${target}.vsix`);
	const keep = new Set([llama.cpu, ...llama.gpu, ...(cuda ? llama.cuda : [])]);
	const dropped = allLlamaPackages().filter(name => !keep.has(name));

	const cpuBins = join(repoRoot, 'node_modules', '@node-llama-cpp', llama.cpu, 'bins');
	if (!existsSync(cpuBins)) {
		throw new Error(`${relative(repoRoot, cpuBins)} is missing: npm did not install @node-llama-cpp/${llama.cpu} (run npm ci on, or with --cpu/--os for, the target platform)`);
	}

	const started = Date.now();
	if (build) {
		await run(process.execPath, ['scripts/build-vision.mjs']);
		await run(process.execPath, ['scripts/build-peer.mjs']);
		await run(process.execPath, ['scripts/build-placement.mjs']);
		await run(process.execPath, ['esbuild.mjs', '--production']);
	}

	// vsce reads one ignore file: the static rules of .vscodeignore plus this target's rules.
	const tempDir = await mkdtemp(join(tmpdir(), 'bora-package-'));
	try {
		const ignoreFile = join(tempDir, '.vscodeignore');
		const staticRules = await readFile(join(repoRoot, '.vscodeignore'), 'utf8');
		const targetRules = dropped.flatMap(name => [`node_modules/@node-llama-cpp/${name}/**`, `node_modules/**/node_modules/@node-llama-cpp/${name}/**`]);
		// The vision addon built for a backend whose llama.cpp binaries stay out (scripts/build-vision.mjs).
		const keptBackends = new Set([...keep].map(backendOfPackage));
		for (const backend of new Set(dropped.map(backendOfPackage))) {
			if (backend !== 'cpu' && !keptBackends.has(backend)) {
				targetRules.push(`dist/native/bora-vision.${backend}.node`);
			}
		}
		await writeFile(ignoreFile, `${staticRules}\n# Generated for ${target}${cuda ? ' with CUDA' : ''}\n${targetRules.join('\n')}\n`);
		await rm(vsixPath, { force: true });
		const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
		await run(process.execPath, [
			vsce, 'package',
			'--target', target,
			'--out', vsixPath,
			'--ignoreFile', ignoreFile,
			'--dependencies',
			'--no-yarn',
			'--allow-missing-repository',
			'--no-rewrite-relative-links',
		]);
	} finally {
		await rm(tempDir, { recursive: true, force: true });
	}

	const bytes = statSync(vsixPath).size;
	const entries = readZipEntries(readFileSync(vsixPath));
	log('');
	log(`vsix:     ${vsixPath}`);
	log(`size:     ${formatBytes(bytes)} (${bytes} bytes), ${formatBytes(sum(entries))} unpacked`);
	log(`files:    ${entries.length}`);
	log(`target:   ${target}; llama.cpp binaries: ${[...keep].filter(name => entries.some(entry => entry.name.startsWith(`extension/node_modules/@node-llama-cpp/${name}/`))).join(', ')}`);
	log(`took:     ${((Date.now() - started) / 1000).toFixed(1)}s`);
	log('contents:');
	for (const [folder, group] of groupBy(entries, entry => entry.name.split('/').slice(0, 2).join('/'))) {
		log(`  ${formatBytes(sum(group)).padStart(9)}  ${String(group.length).padStart(5)} files  ${folder}`);
	}
	log('largest packages in extension/node_modules:');
	const packages = groupBy(entries.filter(entry => entry.name.startsWith('extension/node_modules/')), entry => {
		const parts = entry.name.split('/');
		return parts.slice(2, parts[2]?.startsWith('@') ? 4 : 3).join('/');
	});
	for (const [name, group] of [...packages].sort((a, b) => sum(b[1]) - sum(a[1])).slice(0, 12)) {
		log(`  ${formatBytes(sum(group)).padStart(9)}  ${String(group.length).padStart(5)} files  ${name}`);
	}
	log(`  (${packages.size} packages in all)`);

	const problems = checkContents(entries.map(entry => entry.name), { cpu: llama.cpu, dropped, target });
	if (problems.length > 0) {
		throw new Error(`${vsixPath} is not a working package:\n  ${problems.join('\n  ')}`);
	}
	log('contents check: ok');
	return { vsixPath, target, bytes, entries };
}

/**
 * What is wrong with a package holding these file names; empty when nothing is.
 * @param {readonly string[]} names
 * @param {{ cpu: string, dropped: readonly string[], target: string }} options
 */
export function checkContents(names, { cpu, dropped, target }) {
	const problems = [];
	const present = new Set(names);
	// The vision addon (scripts/build-vision.mjs; the CPU one is required, the GPU ones go with their
	// backends), the shared runtime's peer check (scripts/build-peer.mjs) and the expert placement
	// (scripts/build-placement.mjs) are built for Linux targets only so far.
	const visionAddon = target.startsWith('linux-')
		? ['extension/dist/native/bora-vision.node', 'extension/dist/native/bora-vision.json', 'extension/dist/native/bora-peer.node', 'extension/dist/native/bora-placement.node']
		: [];
	for (const required of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.mjs', 'extension/dist/templateWorker.mjs', 'extension/node_modules/node-llama-cpp/package.json', 'extension/node_modules/@huggingface/jinja/package.json', ...visionAddon]) {
		if (!present.has(required)) {
			problems.push(`missing ${required}`);
		}
	}
	const addon = new RegExp(`^extension/node_modules/@node-llama-cpp/${cpu}/bins/.+/llama-addon\\.node$`);
	if (!names.some(name => addon.test(name))) {
		problems.push(`missing the prebuilt llama.cpp binary extension/node_modules/@node-llama-cpp/${cpu}/bins/**/llama-addon.node`);
	}
	/** @type {Array<[RegExp, string]>} */
	const forbidden = [
		[/\.map$/, 'source map'],
		[/^extension\/src\//, 'source file'],
		[/^extension\/test\//, 'test file'],
		[/^extension\/out\//, 'test build output'],
		[/\.gguf$/i, 'model file'],
		[/\.vsix$/i, 'nested package'],
		[/^extension\/node_modules\/node-llama-cpp\/llama\/(gitRelease\.bundle$|llama\.cpp\/)/, 'llama.cpp source'],
		[new RegExp(`(^|/)node_modules/@node-llama-cpp/(${dropped.map(escapeRegExp).join('|') || '(?!)'})/`), 'binary for another platform or an excluded backend'],
	];
	for (const [pattern, what] of forbidden) {
		const hits = names.filter(name => pattern.test(name));
		if (hits.length > 0) {
			problems.push(`${hits.length} ${what}${hits.length === 1 ? '' : 's'} packaged, e.g. ${hits.slice(0, 3).join(', ')}`);
		}
	}
	return problems;
}

/**
 * The llama.cpp backend of a `@node-llama-cpp/*` package, as scripts/build-vision.mjs names its addons.
 * @param {string} name
 */
function backendOfPackage(name) {
	return /-(cuda|vulkan|metal)(-|$)/.exec(name)?.[1] ?? 'cpu';
}

/** Every `@node-llama-cpp/*` package node-llama-cpp knows of or npm installed. */
function allLlamaPackages() {
	const names = new Set();
	const llamaManifest = join(repoRoot, 'node_modules', 'node-llama-cpp', 'package.json');
	if (existsSync(llamaManifest)) {
		for (const name of Object.keys(JSON.parse(readFileSync(llamaManifest, 'utf8')).optionalDependencies ?? {})) {
			if (name.startsWith('@node-llama-cpp/')) {
				names.add(name.slice('@node-llama-cpp/'.length));
			}
		}
	}
	for (const scope of [join(repoRoot, 'node_modules', '@node-llama-cpp'), join(repoRoot, 'node_modules', 'node-llama-cpp', 'node_modules', '@node-llama-cpp')]) {
		if (existsSync(scope)) {
			readdirSync(scope).forEach(name => names.add(name));
		}
	}
	return [...names].sort();
}

/**
 * @typedef {{ name: string, compressedSize: number, size: number }} ZipEntry
 * The entries of a zip file, read from its central directory (no zip64: a .vsix stays far below 4 GiB).
 * @param {Buffer} zip
 * @returns {ZipEntry[]}
 */
export function readZipEntries(zip) {
	let end = zip.length - 22;
	while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) {
		end--;
	}
	if (end < 0) {
		throw new Error('Not a zip file: no end of central directory record');
	}
	const count = zip.readUInt16LE(end + 10);
	let offset = zip.readUInt32LE(end + 16);
	/** @type {ZipEntry[]} */
	const entries = [];
	for (let i = 0; i < count; i++) {
		if (zip.readUInt32LE(offset) !== 0x02014b50) {
			throw new Error(`Broken zip central directory at entry ${i}`);
		}
		const nameLength = zip.readUInt16LE(offset + 28);
		const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
		if (!name.endsWith('/')) {
			entries.push({ name, compressedSize: zip.readUInt32LE(offset + 20), size: zip.readUInt32LE(offset + 24) });
		}
		offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
	}
	return entries;
}

/** @param {string} command @param {string[]} args */
function run(command, args) {
	return new Promise((resolve, reject) => {
		// No stdin: a vsce question (a missing LICENSE, say) ends the run instead of waiting forever.
		const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
		child.on('error', reject);
		child.on('exit', (code, signal) => code === 0 ? resolve(undefined) : reject(new Error(`${[command, ...args].join(' ')} failed with ${signal ?? `exit code ${code}`}`)));
	});
}

/** @template T @param {readonly T[]} items @param {(item: T) => string} key */
function groupBy(items, key) {
	/** @type {Map<string, T[]>} */
	const groups = new Map();
	for (const item of items) {
		const k = key(item);
		const group = groups.get(k);
		if (group) {
			group.push(item);
		} else {
			groups.set(k, [item]);
		}
	}
	return new Map([...groups].sort((a, b) => a[0].localeCompare(b[0])));
}

/** @param {readonly ZipEntry[]} entries */
function sum(entries) {
	return entries.reduce((total, entry) => total + entry.size, 0);
}

/** @param {number} bytes */
function formatBytes(bytes) {
	return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** @param {string} text */
function escapeRegExp(text) {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const args = process.argv.slice(2);
	const targetIndex = args.indexOf('--target');
	try {
		await packageExtension({ target: targetIndex >= 0 ? args[targetIndex + 1] : undefined, build: !args.includes('--skip-build') });
	} catch (error) {
		console.error(`\npackage failed: ${error instanceof Error ? error.message : String(error)}`);
		process.exitCode = 1;
	}
}
