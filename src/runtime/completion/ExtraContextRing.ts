import type { FimContextChunk } from '../fim/buildFimPrompt';

/** One chunk of extra context: whole lines of one file (or of the clipboard), where they are now. */
export interface RingChunk extends FimContextChunk {
	/** The file's identity (its URI); chunks of one key never overlap. */
	readonly key: string;
	/** Zero-based line of the chunk's first line in that file. */
	readonly startLine: number;
	/** Lines in `text`. */
	readonly lineCount: number;
}

/** What {@link ExtraContextRing.add} takes: the text is cut to whole lines and at most `maxLines` of them. */
export interface RingChunkInput extends FimContextChunk {
	readonly key: string;
	readonly startLine: number;
}

/** A change of one file's lines: `[startLine, oldEndLine)` became `[startLine, newEndLine)`. */
export interface LineEdit {
	readonly startLine: number;
	readonly oldEndLine: number;
	readonly newEndLine: number;
}

export interface ExtraContextRingOptions {
	/** Chunks kept; the oldest goes first. Defaults to `16`. */
	readonly maxChunks?: number;
	/** Lines a chunk may have; longer text keeps its first lines. Defaults to `64`. */
	readonly maxLines?: number;
	/** Tokens all chunks may take together (per {@link countTokens}); the oldest go first. Defaults to `1024`. */
	readonly maxTokens?: number;
	/** A chunk whose set of lines is more similar than this (Jaccard) to an older one evicts it. Defaults to `0.9`. */
	readonly similarity?: number;
	/** Tokens one chunk takes in a prompt. Defaults to {@link estimateChunkTokens}. */
	readonly countTokens?: (chunk: FimContextChunk) => number;
}

/** A rough token count for code (≈3 characters a token, on the high side), name and separators included. */
export function estimateChunkTokens(chunk: FimContextChunk): number {
	return Math.ceil((chunk.name.length + chunk.text.length + 4) / 3);
}

/** Jaccard similarity of two texts' sets of non-blank lines (trimmed): 1 for the same lines in any order. */
export function lineSimilarity(a: string, b: string): number {
	const setOf = (text: string) => new Set(text.split('\n').map(line => line.trim()).filter(line => line.length > 0));
	const left = setOf(a);
	const right = setOf(b);
	if (left.size === 0 && right.size === 0) {
		return 1;
	}
	let common = 0;
	for (const line of left) {
		if (right.has(line)) {
			common++;
		}
	}
	return common / (left.size + right.size - common);
}

/**
 * The bounded ring of extra context for completion prompts (after llama.vscode's): recently edited
 * regions, viewed ranges, imported files and, when the user allows it, copied text.
 *
 * Order is oldest first, and a new or replaced chunk goes to the end, so a prompt that lays the
 * chunks out in this order keeps its cached beginning while chunks are added; evicting from the
 * front invalidates that cache, which is the price of staying within the bounds.
 *
 * A chunk never goes stale: chunks are identified by file and line range, an added chunk replaces
 * the chunks of its file that it overlaps, and {@link applyEdit} drops every chunk an edit touches
 * and moves the ones below it.
 */
export class ExtraContextRing {
	private items: RingChunk[] = [];
	private changes = 0;
	private readonly maxChunks: number;
	private readonly maxLines: number;
	private readonly maxTokens: number;
	private readonly similarity: number;
	private readonly countTokens: (chunk: FimContextChunk) => number;
	private readonly tokens = new WeakMap<RingChunk, number>();

	constructor({ maxChunks = 16, maxLines = 64, maxTokens = 1024, similarity = 0.9, countTokens = estimateChunkTokens }: ExtraContextRingOptions = {}) {
		this.maxChunks = maxChunks;
		this.maxLines = maxLines;
		this.maxTokens = maxTokens;
		this.similarity = similarity;
		this.countTokens = countTokens;
	}

	/** The chunks, oldest first. */
	get chunks(): readonly RingChunk[] {
		return this.items;
	}

	/** Grows with every change, so a caller can tell whether what it prepared is still current. */
	get version(): number {
		return this.changes;
	}

	/** Tokens the chunks take together, per the ring's count. */
	get totalTokens(): number {
		return this.items.reduce((sum, chunk) => sum + this.tokensOf(chunk), 0);
	}

	/** The chunks of every file but `key` (the file being completed is in the prompt already), oldest first. */
	chunksExcept(key: string): readonly RingChunk[] {
		return this.items.filter(chunk => chunk.key !== key);
	}

	/** Lines of `[startLine, endLine)` in `key` that chunks hold now. */
	coveredLines(key: string, startLine: number, endLine: number): number {
		return this.items
			.filter(chunk => chunk.key === key)
			.reduce((sum, chunk) => sum + Math.max(0, Math.min(endLine, chunk.startLine + chunk.lineCount) - Math.max(startLine, chunk.startLine)), 0);
	}

	/**
	 * Adds a chunk at the end. The same text at the same place changes nothing (the cache stays
	 * valid); otherwise chunks of the same file it overlaps and older near-duplicates are removed.
	 * Returns whether the ring changed.
	 */
	add(input: RingChunkInput): boolean {
		const lines = input.text.split('\n');
		if (lines.at(-1) === '') {
			lines.pop();
		}
		const kept = lines.slice(0, this.maxLines);
		if (kept.every(line => line.trim().length === 0)) {
			return false;
		}
		const chunk: RingChunk = { key: input.key, name: input.name, startLine: input.startLine, lineCount: kept.length, text: kept.map(line => `${line}\n`).join('') };
		if (this.items.some(item => item.key === chunk.key && item.startLine === chunk.startLine && item.text === chunk.text && item.name === chunk.name)) {
			return false;
		}
		if (this.tokensOf(chunk) > this.maxTokens) {
			return false;
		}
		this.items = this.items.filter(item => !(item.key === chunk.key && overlaps(item, chunk)) && lineSimilarity(item.text, chunk.text) <= this.similarity);
		this.items.push(chunk);
		this.evict();
		this.changes++;
		return true;
	}

	/**
	 * Keeps `key`'s chunks true to the file after an edit: chunks that overlap the changed lines are
	 * dropped, chunks below them move by the lines added or removed. Returns whether the ring changed.
	 */
	applyEdit(key: string, edit: LineEdit): boolean {
		const delta = edit.newEndLine - edit.oldEndLine;
		let changed = false;
		const next: RingChunk[] = [];
		for (const chunk of this.items) {
			if (chunk.key !== key || chunk.startLine + chunk.lineCount <= edit.startLine) {
				next.push(chunk);
			} else if (chunk.startLine >= edit.oldEndLine) {
				// Moved, not changed: same text, so the prompt (and its cache) stays the same.
				next.push(delta === 0 ? chunk : this.moved(chunk, chunk.startLine + delta));
			} else {
				changed = true;
			}
		}
		this.items = next;
		if (changed) {
			this.changes++;
		}
		return changed;
	}

	/**
	 * Drops the chunks of `key` whose text is no longer at their place in `lines` (the file as it is
	 * now), e.g. a file reopened after it changed on disk. Returns whether the ring changed.
	 */
	dropMismatched(key: string, lines: readonly string[]): boolean {
		const before = this.items.length;
		this.items = this.items.filter(chunk => chunk.key !== key
			|| lines.slice(chunk.startLine, chunk.startLine + chunk.lineCount).map(line => `${line}\n`).join('') === chunk.text);
		if (this.items.length === before) {
			return false;
		}
		this.changes++;
		return true;
	}

	/** Drops every chunk of `key`, e.g. a file deleted or too large to follow. Returns whether the ring changed. */
	remove(key: string): boolean {
		const before = this.items.length;
		this.items = this.items.filter(chunk => chunk.key !== key);
		if (this.items.length === before) {
			return false;
		}
		this.changes++;
		return true;
	}

	clear(): void {
		if (this.items.length > 0) {
			this.items = [];
			this.changes++;
		}
	}

	private moved(chunk: RingChunk, startLine: number): RingChunk {
		const moved = { ...chunk, startLine };
		this.tokens.set(moved, this.tokensOf(chunk));
		return moved;
	}

	private evict(): void {
		let total = this.totalTokens;
		while (this.items.length > this.maxChunks || total > this.maxTokens) {
			total -= this.tokensOf(this.items.shift()!);
		}
	}

	private tokensOf(chunk: RingChunk): number {
		let count = this.tokens.get(chunk);
		if (count === undefined) {
			count = this.countTokens(chunk);
			this.tokens.set(chunk, count);
		}
		return count;
	}
}

function overlaps(a: RingChunk, b: RingChunk): boolean {
	return a.startLine < b.startLine + b.lineCount && b.startLine < a.startLine + a.lineCount;
}
