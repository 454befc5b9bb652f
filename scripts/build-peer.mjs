// Builds Bora's peer-credentials addon (dist/native/bora-peer.node) from src/lsp/native/peer.c: the
// uid at the other end of the shared runtime's socket (SO_PEERCRED on Linux, getpeereid on macOS).
// One C file and Node's headers; seconds. Idempotent: skipped when the inputs have not changed.
//
//   node scripts/build-peer.mjs [--force]
//
// Never fails the caller: without a compiler it writes the reason to
// dist/native/bora-peer.unavailable.txt and exits 0; the shared runtime then says that the folder's
// permissions are its only guard.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuildTools, has, optionalAddonBuild } from './buildToolchain.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nativeDir = join(root, 'src/lsp/native');
const outDir = join(root, 'dist/native');
const output = join(outDir, 'bora-peer.node');
const unavailableFile = join(outDir, 'bora-peer.unavailable.txt');
const buildDir = join(root, '.cache/peer/build');

const { log, fail } = optionalAddonBuild({ tag: 'build-peer', what: 'peer-credentials addon', outputs: () => [output], unavailableFile });

if (process.platform === 'win32') fail('Windows has no Unix socket peer credentials; the named pipe is the guard');
const hash = createHash('sha256').update(`${process.version}\n${process.platform}-${process.arch}\n`);
for (const file of readdirSync(nativeDir).sort()) hash.update(file).update(readFileSync(join(nativeDir, file)));
const stamp = hash.digest('hex').slice(0, 16);
const stampFile = join(outDir, 'bora-peer.stamp');
if (!process.argv.includes('--force') && existsSync(output) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) {
	log('up to date');
	process.exit(0);
}
const started = Date.now();
ensureBuildTools({ log, fail, rerun: 'npm run build' });
const nodeInclude = join(dirname(dirname(process.execPath)), 'include/node');
if (!existsSync(join(nodeInclude, 'node_api.h'))) fail(`Node's headers are missing (${nodeInclude}/node_api.h)`);
const cmake = (args) => {
	const result = spawnSync('cmake', args, { stdio: 'inherit' });
	if (result.status !== 0) fail(`cmake ${args[0]} failed (exit ${result.status}); see the output above`);
};
const generator = has('ninja') ? ['-G', 'Ninja'] : [];
cmake(['-S', nativeDir, '-B', buildDir, ...generator, '-DCMAKE_BUILD_TYPE=Release', `-DNODE_INCLUDE=${nodeInclude}`, '--log-level=WARNING']);
cmake(['--build', buildDir]);
mkdirSync(outDir, { recursive: true });
copyFileSync(join(buildDir, 'bora-peer.node'), output);
writeFileSync(stampFile, `${stamp}\n`);
rmSync(unavailableFile, { force: true });
log(`built ${relative(root, output)} in ${Math.round((Date.now() - started) / 1000)}s`);
