// Checks the import graph of src/ and media/ with the TypeScript compiler's own module resolution:
// no import cycles, and every folder imports only the layers below it (README, "Architecture").
// Type-only imports count: a cycle of types is still two files that cannot be read apart.
// Run by `npm run typecheck`; exits 1 and lists every cycle and every crossing it finds.
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Which top-level folders each folder may import from (besides itself and packages). */
const allowedLayers = {
	'src/shared': [],
	'src/runtime': ['src/shared'],
	'src/lsp': ['src/shared', 'src/runtime'],
	'src/extension': ['src/shared'],
	'media': ['src/shared'],
};

const files = [];
for (const folder of ['src', 'media']) {
	for (const entry of await readdir(join(root, folder), { recursive: true })) {
		if (/\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) {
			files.push(resolve(root, folder, entry));
		}
	}
}

const compilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true };
const host = ts.createCompilerHost(compilerOptions);
const known = new Set(files);
/** @type {Map<string, string[]>} */
const graph = new Map();
for (const file of files) {
	const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
	const targets = [];
	for (const { fileName } of info.importedFiles) {
		const resolved = ts.resolveModuleName(fileName, file, compilerOptions, host).resolvedModule?.resolvedFileName;
		if (resolved && known.has(resolve(resolved))) {
			targets.push(resolve(resolved));
		}
	}
	graph.set(file, targets);
}

const layerOf = file => Object.keys(allowedLayers).find(layer => relative(join(root, layer), file).split(/[\\/]/)[0] !== '..');
const problems = [];
for (const [file, targets] of graph) {
	const from = layerOf(file);
	for (const target of targets) {
		const to = layerOf(target);
		if (from !== to && !allowedLayers[from]?.includes(to)) {
			problems.push(`${relative(root, file)} imports ${relative(root, target)}: ${from} may import only ${allowedLayers[from].join(', ') || 'nothing else in the project'}`);
		}
	}
}

// Strongly connected components (Tarjan): each one with more than one file, or a file importing itself, is a cycle.
let index = 0;
const indices = new Map();
const lowLinks = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function connect(file) {
	indices.set(file, index);
	lowLinks.set(file, index);
	index++;
	stack.push(file);
	onStack.add(file);
	for (const target of graph.get(file)) {
		if (!indices.has(target)) {
			connect(target);
			lowLinks.set(file, Math.min(lowLinks.get(file), lowLinks.get(target)));
		} else if (onStack.has(target)) {
			lowLinks.set(file, Math.min(lowLinks.get(file), indices.get(target)));
		}
	}
	if (lowLinks.get(file) === indices.get(file)) {
		const component = [];
		let member;
		do {
			member = stack.pop();
			onStack.delete(member);
			component.push(member);
		} while (member !== file);
		if (component.length > 1 || graph.get(file).includes(file)) {
			cycles.push(component.map(member => relative(root, member)).sort());
		}
	}
}
for (const file of files) {
	if (!indices.has(file)) {
		connect(file);
	}
}
for (const cycle of cycles) {
	problems.push(`import cycle: ${cycle.join(' ↔ ')}`);
}

if (problems.length > 0) {
	console.error(`${problems.length} import problem(s):\n${problems.map(problem => `  ${problem}`).join('\n')}`);
	process.exit(1);
}
console.log(`imports: ${files.length} files, no cycles, every folder within its layers`);
