import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';
import { repoRoot } from '../support/paths';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

/** The `@node-llama-cpp/*` package holding the CPU build of llama.cpp for each vsce target. */
const cpuPackageByTarget: Readonly<Record<string, string>> = {
	'linux-x64': 'linux-x64',
	'linux-arm64': 'linux-arm64',
	'linux-armhf': 'linux-armv7l',
	'darwin-arm64': 'mac-arm64-metal',
	'darwin-x64': 'mac-x64',
	'win32-x64': 'win-x64',
	'win32-arm64': 'win-arm64',
};

const uri = 'file:///workspace/add.js';

describe('npm run package: a .vsix that installs and runs', function () {
	this.timeout(600_000);
	let vsixPath: string;
	let target: string;
	let entries: ZipEntry[];
	let names: string[];
	let unpacked: string | undefined;
	let model: string;

	before(async () => {
		const [fixture, packaging] = await Promise.all([ensureFixtureModel('qwenFim'), runCommand('npm', ['run', 'package'])]);
		model = fixture;
		assert.equal(packaging.code, 0, `npm run package failed:\n${packaging.output}`);
		const printed = /^vsix:\s+(.+\.vsix)\s*$/m.exec(packaging.output)?.[1];
		assert.ok(printed, `npm run package printed no vsix path:\n${packaging.output}`);
		vsixPath = printed;
		const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
		const prefix = `${manifest.name}-${manifest.version}-`;
		assert.equal(dirname(vsixPath), repoRoot);
		assert.ok(vsixPath.endsWith('.vsix') && vsixPath.slice(repoRoot.length + 1).startsWith(prefix), vsixPath);
		target = vsixPath.slice(repoRoot.length + 1 + prefix.length, -'.vsix'.length);
		entries = readZipEntries(readFileSync(vsixPath));
		names = entries.map(entry => entry.name);
		// Under the system temp folder, not the repository: no node_modules above it to fall back on.
		unpacked = mkdtempSync(join(realpathSync(tmpdir()), 'bora-vsix-'));
		extractZip(vsixPath, unpacked, entries);
	});

	after(() => {
		if (unpacked) {
			rmSync(unpacked, { recursive: true, force: true });
		}
	});

	it('is built for this platform', () => {
		const linuxTargets: Readonly<Record<string, string>> = { x64: 'linux-x64', arm64: 'linux-arm64', arm: 'linux-armhf' };
		const expected = process.platform === 'linux' ? linuxTargets[process.arch] : `${process.platform}-${process.arch}`;
		assert.equal(target, expected);
	});

	it('holds the manifest, the bundles (the template worker too), node-llama-cpp with @huggingface/jinja and the prebuilt llama.cpp binary', () => {
		for (const required of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.mjs', 'extension/dist/templateWorker.mjs', 'extension/node_modules/node-llama-cpp/package.json', 'extension/node_modules/@huggingface/jinja/package.json']) {
			assert.ok(names.includes(required), `missing ${required}`);
		}
		const cpu = cpuPackageByTarget[target];
		assert.ok(cpu, `no llama.cpp package known for ${target}`);
		const addon = new RegExp(`^extension/node_modules/@node-llama-cpp/${cpu}/bins/.+/llama-addon\\.node$`);
		assert.ok(names.some(name => addon.test(name)), `missing @node-llama-cpp/${cpu}/bins/**/llama-addon.node`);
	});

	it('leaves out source maps, sources, tests, models and llama.cpp sources', () => {
		const forbidden = names.filter(name => /\.map$|\.gguf$|\.vsix$/i.test(name) || /^extension\/(src|test|out|scripts|\.cache)\//.test(name)
			|| /^extension\/node_modules\/node-llama-cpp\/llama\/(gitRelease\.bundle$|llama\.cpp\/)/.test(name));
		assert.deepEqual(forbidden, []);
	});

	it('ships llama.cpp binaries for this target only, without CUDA unless BORA_PACKAGE_CUDA=1', () => {
		const cpu = cpuPackageByTarget[target]!;
		const cuda = process.env['BORA_PACKAGE_CUDA'] === '1';
		const packages = [...new Set(names.map(name => /node_modules\/@node-llama-cpp\/([^/]+)\//.exec(name)?.[1]).filter(name => name !== undefined))];
		assert.ok(packages.includes(cpu), JSON.stringify(packages));
		for (const name of packages) {
			assert.ok(name === cpu || name.startsWith(`${cpu}-`), `${name} is for another platform`);
			assert.ok(cuda || !name.includes('cuda'), `${name} ships although BORA_PACKAGE_CUDA is not 1`);
		}
	});

	it('runs the packaged runtime on node_modules from the package alone and completes the canonical FIM case', async () => {
		const extensionDir = join(unpacked!, 'extension');
		const server = join(extensionDir, 'dist', 'server.mjs');
		// Node resolves node-llama-cpp by walking up from dist/: the package's own node_modules must be
		// the only one on the way.
		for (let dir = dirname(extensionDir); ; dir = dirname(dir)) {
			assert.ok(!existsSync(join(dir, 'node_modules', 'node-llama-cpp')), `${dir}/node_modules would shadow the package's copy`);
			if (dirname(dir) === dir) {
				break;
			}
		}
		const runtime = await RuntimeServerProcess.start({ serverModule: server, args: ['--model', model, '--threads', '2'] });
		try {
			const ready = await runtime.waitForState('ready');
			assert.equal(ready.threads, 2);
			if (process.platform === 'linux') {
				const addons = readFileSync(`/proc/${runtime.process.pid}/maps`, 'utf8').split('\n')
					.map(line => /\s(\/\S*llama-addon\.node)$/.exec(line)?.[1]).filter(path => path !== undefined);
				assert.ok(addons.length > 0, 'llama-addon.node is not loaded');
				for (const addon of addons) {
					assert.ok(addon.startsWith(`${extensionDir}/node_modules/`), `loaded ${addon} from outside the package`);
				}
			}
			const position = await runtime.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
			const result = await runtime.complete(uri, position);
			assert.equal(result?.items[0]?.insertText, canonicalFim.middle);
		} catch (error) {
			throw new Error(`${String(error)}\nstates: ${JSON.stringify(runtime.states)}\nlog:\n${runtime.logs.join('\n')}`, { cause: error });
		} finally {
			await runtime.stop();
		}
	});

	it('keeps a MoE model\'s routed experts in RAM with the packaged placement addon (linux)', async function () {
		if (!target.startsWith('linux-')) {
			this.skip();
		}
		const server = join(unpacked!, 'extension', 'dist', 'server.mjs');
		const runtime = await RuntimeServerProcess.start({ serverModule: server, args: ['--model', await ensureFixtureModel('mistral4Fim'), '--threads', '2', '--cpuExperts', 'all'] });
		try {
			const ready = await runtime.waitForState('ready');
			assert.equal(ready.experts?.unavailable, undefined, ready.experts?.unavailable?.message);
			assert.equal(ready.experts?.cpuExpertLayers, 1);
		} finally {
			await runtime.stop();
		}
	});
});

function runCommand(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
		const output: string[] = [];
		child.stdout.on('data', chunk => output.push(String(chunk)));
		child.stderr.on('data', chunk => output.push(String(chunk)));
		child.on('error', reject);
		child.on('close', code => resolvePromise({ code, output: output.join('') }));
	});
}

interface ZipEntry {
	readonly name: string;
	readonly method: number;
	readonly compressedSize: number;
	readonly size: number;
	readonly localHeaderOffset: number;
}

/** The file entries of a zip, from its central directory (a .vsix never needs zip64). */
function readZipEntries(zip: Buffer): ZipEntry[] {
	let end = zip.length - 22;
	while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) {
		end--;
	}
	assert.ok(end >= 0, 'not a zip file');
	const entries: ZipEntry[] = [];
	let offset = zip.readUInt32LE(end + 16);
	for (let i = zip.readUInt16LE(end + 10); i > 0; i--) {
		assert.equal(zip.readUInt32LE(offset), 0x02014b50, 'broken zip central directory');
		const nameLength = zip.readUInt16LE(offset + 28);
		const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
		if (!name.endsWith('/')) {
			entries.push({
				name,
				method: zip.readUInt16LE(offset + 10),
				compressedSize: zip.readUInt32LE(offset + 20),
				size: zip.readUInt32LE(offset + 24),
				localHeaderOffset: zip.readUInt32LE(offset + 42),
			});
		}
		offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
	}
	return entries;
}

/** Unpacks with `unzip` where there is one, else with zlib. */
function extractZip(zipPath: string, into: string, entries: readonly ZipEntry[]): void {
	if (!spawnSync('unzip', ['-v'], { stdio: 'ignore' }).error) {
		const unzip = spawnSync('unzip', ['-q', '-o', zipPath, '-d', into], { encoding: 'utf8' });
		assert.equal(unzip.status, 0, `unzip failed: ${unzip.stderr}`);
		return;
	}
	const zip = readFileSync(zipPath);
	for (const entry of entries) {
		const file = resolve(into, entry.name);
		assert.ok(file.startsWith(`${resolve(into)}${sep}`), `unsafe path in zip: ${entry.name}`);
		const header = entry.localHeaderOffset;
		const start = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
		const data = zip.subarray(start, start + entry.compressedSize);
		assert.ok(entry.method === 0 || entry.method === 8, `unsupported zip method ${entry.method} for ${entry.name}`);
		const contents = entry.method === 0 ? data : inflateRawSync(data);
		assert.equal(contents.length, entry.size, `bad size after unpacking ${entry.name}`);
		mkdirSync(dirname(file), { recursive: true });
		writeFileSync(file, contents);
	}
}
