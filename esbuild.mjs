// Bundles the extension (CommonJS, as VS Code loads it) and the runtime server (ESM, because
// node-llama-cpp is ESM-only) into dist/. node-llama-cpp stays external: its native binaries are
// loaded from node_modules at run time. `--tests` also bundles the mocha suites into out/test.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';

const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const production = args.has('--production');
const version = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).version;

/** ESM output that still contains CommonJS dependencies needs a real `require`. */
const esmRequireShim = "import { createRequire as __boraCreateRequire } from 'node:module'; const require = __boraCreateRequire(import.meta.url);";

/** @type {esbuild.BuildOptions} */
const common = {
	bundle: true,
	platform: 'node',
	target: 'node20',
	sourcemap: production ? false : 'linked',
	minify: production,
	logLevel: 'info',
	define: { BORA_VERSION: JSON.stringify(version) },
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
	{ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', format: 'cjs', external: ['vscode'] },
	{ ...common, entryPoints: ['src/lsp/main.ts'], outfile: 'dist/server.mjs', format: 'esm', external: ['node-llama-cpp'], banner: { js: esmRequireShim } },
];

if (args.has('--tests')) {
	const files = await readdir('test', { recursive: true });
	const entryPoints = files.filter(file => /\.(test|bench)\.ts$/.test(file) || file === 'models/generate.ts').map(file => `test/${file}`);
	builds.push({
		...common, entryPoints, outdir: 'out', outbase: '.', outExtension: { '.js': '.mjs' }, format: 'esm',
		packages: 'external', sourcemap: 'inline', banner: { js: esmRequireShim },
	});
}

if (watch) {
	const contexts = await Promise.all(builds.map(options => esbuild.context(options)));
	await Promise.all(contexts.map(context => context.watch()));
} else {
	await Promise.all(builds.map(options => esbuild.build(options)));
}
