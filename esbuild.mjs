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
	logLevel: args.has('--tests') ? 'warning' : 'info',
	define: { BORA_VERSION: JSON.stringify(version) },
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
	{ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', format: 'cjs', external: ['vscode'] },
	{ ...common, entryPoints: ['src/lsp/main.ts'], outfile: 'dist/server.mjs', format: 'esm', external: ['node-llama-cpp'], banner: { js: esmRequireShim } },
	// The chat template worker (src/runtime/chat/templateGuard): its own entry, started by the runtime. @huggingface/jinja
	// stays external so the worker patches the copy node-llama-cpp renders with.
	{ ...common, entryPoints: ['src/runtime/chat/templateGuard/templateWorker.ts'], outfile: 'dist/templateWorker.mjs', format: 'esm', external: ['node-llama-cpp', '@huggingface/jinja'], banner: { js: esmRequireShim } },
	// The chat webview: a browser bundle (markdown-it and highlight.js inside) and its stylesheet.
	{
		...common, platform: 'browser', target: 'es2022', format: 'iife', define: {},
		entryPoints: [{ in: 'media/chat/main.ts', out: 'chat' }, { in: 'media/chat/chat.css', out: 'chat' }], outdir: 'dist/webview',
	},
];

if (args.has('--tests')) {
	const files = (await readdir('test', { recursive: true })).map(file => `test/${file}`);
	const inExtensionHost = file => file.startsWith('test/e2e/extensionHost/');
	builds.push({
		...common, outdir: 'out', outbase: '.', outExtension: { '.js': '.mjs' }, format: 'esm', packages: 'external',
		sourcemap: 'inline', banner: { js: esmRequireShim },
		entryPoints: [...files.filter(file => /\.(test|bench)\.ts$/.test(file) && !inExtensionHost(file)), 'test/models/generate.ts', 'test/e2e/start.ts'],
	});
	// Suites that run inside VS Code's extension host, which loads them with require().
	builds.push({
		...common, outdir: 'out', outbase: '.', outExtension: { '.js': '.cjs' }, format: 'cjs', packages: 'external',
		sourcemap: 'inline', external: ['vscode'],
		entryPoints: files.filter(file => inExtensionHost(file) && /(^|\/)(index|[^/]+\.test)\.ts$/.test(file)),
	});
}

if (watch) {
	const contexts = await Promise.all(builds.map(options => esbuild.context(options)));
	await Promise.all(contexts.map(context => context.watch()));
} else {
	await Promise.all(builds.map(options => esbuild.build(options)));
}
