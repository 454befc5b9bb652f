/*
 * A scripted editing session over a real source file: the user jumps to a few places and types the
 * code that belongs there character by character, now and then accepting a suggestion (several
 * characters at once). Deterministic: the same file gives the same states.
 */
import { readFileSync } from 'node:fs';

export type SessionStepKind =
	/** The first request at a new place: nothing near the cursor can be cached. */
	| 'jump'
	/** One typed character. */
	| 'type'
	/** An accepted suggestion: several characters at once. */
	| 'accept';

export interface SessionStep {
	readonly kind: SessionStepKind;
	readonly text: string;
	/** Cursor offset in `text`. */
	readonly offset: number;
}

export interface SessionOptions {
	/** Places the cursor jumps to. Defaults to `3`. */
	readonly places?: number;
	/** Characters typed (or accepted) at each place. Defaults to `40`. */
	readonly charsPerPlace?: number;
	/** After this many typed characters the next `acceptChars` arrive as one accepted suggestion. Defaults to `10`. */
	readonly acceptEvery?: number;
	/** Defaults to `6`. */
	readonly acceptChars?: number;
}

/** The source: three pinned .js files from node_modules, about 3,100 lines together. */
export function benchSourceText(): string {
	return [
		'node_modules/vscode-jsonrpc/lib/common/connection.js',
		'node_modules/vscode-languageserver-protocol/lib/common/protocol.js',
		'node_modules/vscode-languageserver/lib/common/server.js',
	].map(path => readFileSync(path, 'utf8')).join('\n');
}

export function editingSession(source: string, { places = 3, charsPerPlace = 40, acceptEvery = 10, acceptChars = 6 }: SessionOptions = {}): SessionStep[] {
	const lines = source.split('\n');
	const lineStarts: number[] = [];
	lines.reduce((offset, line) => (lineStarts.push(offset), offset + line.length + 1), 0);
	const steps: SessionStep[] = [];
	for (let place = 0; place < places; place++) {
		// Spread over the file, each at the first indented line with enough code to type.
		let line = Math.floor(lines.length * (0.3 + 0.55 * place / Math.max(1, places - 1)));
		while (!/^\s+\S.{30,}/.test(lines[line] ?? '') && line < lines.length - 1) {
			line++;
		}
		const indent = /^\s*/.exec(lines[line]!)![0].length;
		const start = lineStarts[line]! + indent;
		const typed = source.slice(start, start + charsPerPlace);
		// The document lacks what the user is about to type; everything else is there.
		const withHole = (done: number) => source.slice(0, start) + typed.slice(0, done) + source.slice(start + typed.length);
		steps.push({ kind: 'jump', text: withHole(0), offset: start });
		let done = 0;
		let sinceAccept = 0;
		while (done < typed.length) {
			const accept = sinceAccept >= acceptEvery;
			done = Math.min(typed.length, done + (accept ? acceptChars : 1));
			sinceAccept = accept ? 0 : sinceAccept + 1;
			steps.push({ kind: accept ? 'accept' : 'type', text: withHole(done), offset: start + done });
		}
	}
	return steps;
}

/** What a request of the scripted session is for: the first in a file, after a jump, a typed character, an accepted suggestion. */
export type RequestKind = 'first' | 'jump' | 'type' | 'accept';

export interface ScriptedStep extends SessionStep {
	readonly request: RequestKind;
	/** The block it is measured in: one cursor place of one round. */
	readonly block: string;
}

/**
 * The benchmarks' scripted session against a server: `rounds` passes over the bench source, each on
 * the file rotated by a third so its first request finds nothing cached.
 */
export function scriptedSession(rounds: number, quick: boolean): ScriptedStep[] {
	const lines = benchSourceText().split('\n');
	const steps: ScriptedStep[] = [];
	for (let round = 0; round < rounds; round++) {
		const shift = Math.floor(lines.length * round / 3);
		const text = [...lines.slice(shift), ...lines.slice(0, shift)].join('\n');
		let place = -1;
		for (const step of editingSession(text, quick ? { places: 2, charsPerPlace: 16 } : { places: 3, charsPerPlace: 24 })) {
			place += step.kind === 'jump' ? 1 : 0;
			steps.push({ ...step, request: step.kind === 'jump' ? (place === 0 ? 'first' : 'jump') : step.kind, block: `${round}/${place}` });
		}
	}
	return steps;
}
