/**
 * Where Apply puts a code block when nothing is selected: over the declaration of the same name in
 * the file (the function, method or class the block rewrites), else at the cursor. Never the whole
 * file: a one-line snippet must not propose deleting everything around it.
 */
export type ApplyTarget =
	/** `start`..`end` is the file's declaration of `name`; `code` is re-indented to its indentation. */
	| { readonly kind: 'region'; readonly name: string; readonly start: number; readonly end: number; readonly code: string }
	/** Inserted at the cursor (`start` = `end`), as Insert does. */
	| { readonly kind: 'cursor'; readonly start: number; readonly end: number; readonly code: string };

export interface FindApplyTargetOptions {
	/** The whole document. */
	readonly text: string;
	/** Offset of the cursor in `text`; the nearest declaration wins when a name is declared twice. */
	readonly cursor: number;
	/** The code block from the answer. */
	readonly code: string;
}

const identifier = '[A-Za-z_$][\\w$]*';
/** Declarations whose first capture is the declared name: JS/TS, Python, Rust, Go, and methods in a class body. */
const declarationPatterns: readonly RegExp[] = [
	new RegExp(`^\\s*(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?function\\s*\\*?\\s*(${identifier})`),
	new RegExp(`^\\s*(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?class\\s+(${identifier})`),
	new RegExp(`^\\s*(?:export\\s+)?(?:const|let|var)\\s+(${identifier})\\s*(?::[^=]+)?=\\s*(?:async\\s*)?(?:function\\b|\\([^)]*\\)[^=]*=>|${identifier}\\s*=>)`),
	/^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)/,
	/^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+([A-Za-z_]\w*)/,
	/^\s*func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/,
	new RegExp(`^\\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\\s+)*(${identifier})\\s*\\([^)]*\\)\\s*(?::[^{]+)?\\{\\s*$`),
];
/** Words that look like a method head (`if (x) {`) but are not declarations. */
const notNames = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'return', 'function', 'else']);

export function findApplyTarget({ text, cursor, code }: FindApplyTargetOptions): ApplyTarget {
	const atCursor: ApplyTarget = { kind: 'cursor', start: cursor, end: cursor, code };
	const head = firstDeclaration(code);
	if (!head) {
		return atCursor;
	}
	const candidates = lineStarts(text)
		.filter(start => declaredName(lineAt(text, start)) === head.name)
		.map(start => ({ start, end: declarationEnd(text, start) }))
		.filter((region): region is { start: number; end: number } => region.end !== undefined);
	if (candidates.length === 0) {
		return atCursor;
	}
	const distance = ({ start, end }: { start: number; end: number }) => cursor < start ? start - cursor : cursor > end ? cursor - end : 0;
	const region = candidates.reduce((best, next) => distance(next) < distance(best) ? next : best);
	const indent = /^[ \t]*/.exec(lineAt(text, region.start))![0];
	return { kind: 'region', name: head.name, start: region.start, end: region.end, code: reindent(code.slice(head.start).replace(/\s+$/, ''), head.indent, indent) };
}

/** The first line of `code` that declares something, with where it starts and how it is indented. */
function firstDeclaration(code: string): { name: string; start: number; indent: string } | undefined {
	for (const start of lineStarts(code)) {
		const line = lineAt(code, start);
		const name = declaredName(line);
		if (name) {
			// Comments and blank lines before the declaration stay out: the file's own comment is kept.
			return { name, start, indent: /^[ \t]*/.exec(line)![0] };
		}
	}
	return undefined;
}

function declaredName(line: string): string | undefined {
	for (const pattern of declarationPatterns) {
		const name = pattern.exec(line)?.[1];
		if (name && !notNames.has(name)) {
			return name;
		}
	}
	return undefined;
}

/**
 * The end offset of the declaration whose line starts at `start`: its matching `}` (strings and
 * comments skipped), or its indented block for a Python-style `:` head, or its line for a braceless
 * one-liner (`const f = x => x;`). Undefined when its braces never close.
 */
function declarationEnd(text: string, start: number): number | undefined {
	const line = lineAt(text, start);
	if (/:\s*(?:#.*)?$/.test(line) && !line.includes('{')) {
		return indentedBlockEnd(text, start);
	}
	const braceless = /^\s*(?:export\s+)?(?:const|let|var)\s/.test(line);
	let depth = 0;
	for (let i = start; i < text.length; i++) {
		const char = text[i]!;
		if (char === '"' || char === '\'' || char === '`') {
			i = stringEnd(text, i);
		} else if (char === '/' && text[i + 1] === '/') {
			i = lineEnd(text, i) - 1;
		} else if (char === '/' && text[i + 1] === '*') {
			const close = text.indexOf('*/', i + 2);
			i = close < 0 ? text.length : close + 1;
		} else if (char === '{') {
			depth++;
		} else if (char === '}') {
			depth--;
			if (depth === 0) {
				// A trailing `;` or `,` on the same line belongs to the declaration.
				const rest = /^[;,]?/.exec(text.slice(i + 1))![0];
				return i + 1 + rest.length;
			}
		} else if (char === ';' && depth === 0) {
			// A declaration without a body block (`const f = x => x;`, an overload signature) ends here.
			return i + 1;
		} else if (char === '\n' && depth === 0 && braceless && !/(?:=>|[(,=])\s*$/.test(text.slice(start, i))) {
			// An arrow function without `;` ends with its line, unless the line plainly goes on.
			return i;
		}
	}
	return undefined;
}

function indentedBlockEnd(text: string, start: number): number {
	const headIndent = /^[ \t]*/.exec(lineAt(text, start))![0].length;
	let end = lineEnd(text, start);
	for (let next = end + 1; next < text.length; next = lineEnd(text, next) + 1) {
		const line = lineAt(text, next);
		if (line.trim() === '') {
			continue;
		}
		if (/^[ \t]*/.exec(line)![0].length <= headIndent) {
			break;
		}
		end = lineEnd(text, next);
	}
	return end;
}

function stringEnd(text: string, open: number): number {
	const quote = text[open];
	for (let i = open + 1; i < text.length; i++) {
		if (text[i] === '\\') {
			i++;
		} else if (text[i] === quote || (quote !== '`' && text[i] === '\n')) {
			return i;
		}
	}
	return text.length;
}

function reindent(code: string, from: string, to: string): string {
	if (from === to) {
		return code;
	}
	return code.split('\n').map(line => line.trim() === '' ? '' : to + (line.startsWith(from) ? line.slice(from.length) : line.trimStart())).join('\n');
}

function lineStarts(text: string): number[] {
	const starts = [0];
	for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
		starts.push(i + 1);
	}
	return starts;
}

function lineEnd(text: string, offset: number): number {
	const end = text.indexOf('\n', offset);
	return end < 0 ? text.length : end;
}

function lineAt(text: string, start: number): string {
	return text.slice(start, lineEnd(text, start));
}
