/*
 * The glob patterns of `files.exclude` and `bora.completion.extraContext.exclude`, matched against a
 * path relative to its workspace folder with `/` separators, as VS Code matches them:
 * `*` is any run of characters within one path segment, `?` one such character, `**` as a whole
 * segment any number of segments (none included), `{a,b}` either alternative (nested, and holding
 * globs), `[abc]`, `[a-z]` and `[!a]` (or `[^a]`) one character of a set. Anything else is literal.
 * Case is ignored, so a pattern excludes more, never less, on a case-insensitive disk.
 */

/** A compiled glob pattern. */
export interface Glob {
	readonly pattern: string;
	/** Whether the whole of `relativePath` (no leading `/`) matches. */
	matches(relativePath: string): boolean;
}

export function compileGlob(pattern: string): Glob {
	const expression = new RegExp(`^${globSource(pattern)}$`, 'is');
	return { pattern, matches: relativePath => expression.test(relativePath) };
}

/**
 * Whether `relativePath` or a folder above it matches one of `globs`: a pattern that names a folder
 * (`**\/node_modules`, `secrets`) excludes what is inside it, as `files.exclude` hides a folder's content.
 */
export function matchesPathOrParent(globs: readonly Glob[], relativePath: string): boolean {
	const segments = relativePath.split('/');
	for (let end = segments.length; end > 0; end--) {
		const prefix = segments.slice(0, end).join('/');
		if (globs.some(glob => glob.matches(prefix))) {
			return true;
		}
	}
	return false;
}

/** The regular expression source of `pattern`, without anchors. */
function globSource(pattern: string): string {
	let source = '';
	let i = 0;
	while (i < pattern.length) {
		const char = pattern[i]!;
		if (char === '*' && pattern[i + 1] === '*' && (i === 0 || pattern[i - 1] === '/') && (i + 2 === pattern.length || pattern[i + 2] === '/')) {
			// `**/` is any number of whole segments, none included; a final `**` is anything below.
			if (pattern[i + 2] === '/') {
				source += '(?:[^/]*/)*';
				i += 3;
			} else {
				source += '.*';
				i += 2;
			}
		} else if (char === '*') {
			// Elsewhere `**` means what `*` does.
			while (pattern[i] === '*') {
				i++;
			}
			source += '[^/]*';
		} else if (char === '?') {
			source += '[^/]';
			i++;
		} else if (char === '[') {
			const end = classEnd(pattern, i);
			if (end < 0) {
				source += '\\[';
				i++;
			} else {
				source += classSource(pattern.slice(i + 1, end));
				i = end + 1;
			}
		} else if (char === '{') {
			const end = braceEnd(pattern, i);
			if (end < 0) {
				source += '\\{';
				i++;
			} else {
				source += `(?:${splitAlternatives(pattern.slice(i + 1, end)).map(globSource).join('|')})`;
				i = end + 1;
			}
		} else {
			source += char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
			i++;
		}
	}
	return source;
}

/** Index of the `]` closing the class opened at `start`, or `-1`; a `]` right after `[`, `[!` or `[^` is a member. */
function classEnd(pattern: string, start: number): number {
	let i = start + 1;
	if (pattern[i] === '!' || pattern[i] === '^') {
		i++;
	}
	if (pattern[i] === ']') {
		i++;
	}
	for (; i < pattern.length; i++) {
		if (pattern[i] === '/') {
			return -1;
		}
		if (pattern[i] === ']') {
			return i;
		}
	}
	return -1;
}

function classSource(body: string): string {
	const negated = body.startsWith('!') || body.startsWith('^');
	const members = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
	// A negated class still never matches the separator: it stays within a segment.
	return negated ? `[^/${members}]` : `[${members}]`;
}

/** Index of the `}` that closes the brace opened at `start`, or `-1`. */
function braceEnd(pattern: string, start: number): number {
	let depth = 0;
	for (let i = start; i < pattern.length; i++) {
		if (pattern[i] === '{') {
			depth++;
		} else if (pattern[i] === '}' && --depth === 0) {
			return i;
		}
	}
	return -1;
}

/** `a,{b,c},d` → `a`, `{b,c}`, `d`: the commas of the outer level only. */
function splitAlternatives(body: string): string[] {
	const alternatives: string[] = [];
	let depth = 0;
	let from = 0;
	for (let i = 0; i < body.length; i++) {
		if (body[i] === '{') {
			depth++;
		} else if (body[i] === '}') {
			depth--;
		} else if (body[i] === ',' && depth === 0) {
			alternatives.push(body.slice(from, i));
			from = i + 1;
		}
	}
	alternatives.push(body.slice(from));
	return alternatives;
}
