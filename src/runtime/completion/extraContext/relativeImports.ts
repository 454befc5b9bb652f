/*
 * Which files a document imports by relative path, and where those files may be, for the extra
 * context of completion prompts. Pure text work; reading the files is the caller's.
 */

/** Only the beginning of a document is searched: imports live at the top, and a huge file should cost nothing. */
const searchedChars = 16_384;

const jsPatterns = [
	/\bimport\s+(?:[^'"`;]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g,
	/\bexport\s+[^'"`;]*?\s+from\s+['"](\.{1,2}\/[^'"]+)['"]/g,
	/\b(?:require|import)\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
];

const jsExtensions = ['.ts', '.tsx', '.js', '.jsx', '.mts', '.mjs', '.cts', '.cjs'];

/** Languages whose imports are understood, by LSP language id. */
export type ImportLanguage = 'javascript' | 'python';

export function importLanguageOf(languageId: string, path: string): ImportLanguage | undefined {
	if (['javascript', 'javascriptreact', 'typescript', 'typescriptreact'].includes(languageId) || /\.[cm]?[jt]sx?$/.test(path)) {
		return 'javascript';
	}
	if (languageId === 'python' || path.endsWith('.py')) {
		return 'python';
	}
	return undefined;
}

/**
 * Relative imports in the order they appear, each as the paths (relative to the document's folder)
 * where the imported file may be, most likely first.
 */
export function relativeImports(text: string, language: ImportLanguage): string[][] {
	const head = text.slice(0, searchedChars);
	const found: Array<{ at: number; candidates: string[] }> = [];
	if (language === 'javascript') {
		for (const pattern of jsPatterns) {
			for (const match of head.matchAll(pattern)) {
				found.push({ at: match.index, candidates: jsCandidates(match[1]!) });
			}
		}
	} else {
		for (const match of head.matchAll(/^[ \t]*from[ \t]+(\.+)([\w.]*)[ \t]+import[ \t]+\(?([\w, \t]+)/gm)) {
			found.push(...pythonCandidates(match[1]!, match[2]!, match[3]!).map(candidates => ({ at: match.index, candidates })));
		}
		// A plain `import name` may be a module next to the document.
		for (const match of head.matchAll(/^[ \t]*import[ \t]+([\w.]+)/gm)) {
			found.push({ at: match.index, candidates: [`./${match[1]!.replace(/\./g, '/')}.py`] });
		}
	}
	const seen = new Set<string>();
	return found
		.sort((a, b) => a.at - b.at)
		.map(({ candidates }) => candidates)
		.filter(candidates => !seen.has(candidates[0]!) && seen.add(candidates[0]!));
}

function jsCandidates(specifier: string): string[] {
	const bare = specifier.replace(/\/$/, '');
	// TypeScript's ESM style names the output (`./a.js`) of a source file `./a.ts`.
	const source = bare.match(/^(.*)\.([cm]?)js(x?)$/);
	const fromOutput = source ? [`${source[1]}.${source[2]}ts${source[3]}`] : [];
	const hasExtension = /\.\w+$/.test(bare.split('/').pop()!);
	return [
		...(hasExtension ? [bare, ...fromOutput] : []),
		...jsExtensions.map(extension => `${bare}${extension}`),
		...jsExtensions.map(extension => `${bare}/index${extension}`),
	];
}

function pythonCandidates(dots: string, module: string, names: string): string[][] {
	const up = dots.length === 1 ? './' : '../'.repeat(dots.length - 1);
	const base = `${up}${module.replace(/\./g, '/')}`;
	if (module) {
		return [[`${base}.py`, `${base}/__init__.py`]];
	}
	// `from . import a, b`: each name may be a module of the package.
	return names.split(',').map(name => name.trim()).filter(name => /^\w+$/.test(name)).map(name => [`${base}${name}.py`, `${base}${name}/__init__.py`]);
}
