import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EditorContextParams } from '../../../shared/protocol';
import { defaultRuntimeSettings, type RuntimeSettings } from '../../../shared/types';
import type { Logger } from '../../Logger';
import type { BackendPrefillRequest, BackendPrefillResult } from '../CompletionBackend';
import type { CompletionDocument, CompletionDocuments } from '../CompletionDocument';
import { ExtraContextRing, type RingChunk } from '../ExtraContextRing';
import { IdlePrefill, type IdlePrefillOptions } from '../IdlePrefill';
import type { Scheduler } from '../../scheduler/Scheduler';
import { changedLines, windowAround } from './changedLines';
import { ExtraContextPolicy } from './ExtraContextPolicy';
import { importLanguageOf, relativeImports } from './relativeImports';
import { WorkspaceNames, type WorkspaceFolders } from './WorkspaceNames';

export interface ExtraContextServiceOptions {
	/** Where the idle prefill measures its quiet time and runs (see {@link IdlePrefillOptions.scheduler}). Defaults to one of its own. */
	readonly scheduler?: Scheduler;
	/** Quiet time after a change of the context before its tokens are evaluated ahead. Defaults to `1000` ms. */
	readonly idleMs?: number;
	/** Lines of a chunk (edited region, shown range, copied text). Defaults to `64`. */
	readonly chunkLines?: number;
	/** Chunks in the ring. Defaults to `16`. */
	readonly maxChunks?: number;
	/** Imported files read per document. Defaults to `4`. */
	readonly maxImports?: number;
	/** First lines of an imported file that go in (its imports and first declarations). Defaults to `32`. */
	readonly importLines?: number;
	/** Larger imported files are left out. Defaults to `262144` bytes. */
	readonly maxImportBytes?: number;
	/** Larger documents are not followed (their chunks are dropped). Defaults to `1000000` characters. */
	readonly maxTrackedChars?: number;
}

/** What to evaluate ahead: the head, and where the user's cursor is in the focused document (its window follows the head). */
export interface HeadPrefillRequest extends BackendPrefillRequest {
	readonly focus?: { readonly uri: string; readonly cursor: NonNullable<EditorContextParams['cursor']> };
}

/** Evaluates a prompt head ahead; `undefined` when nothing can evaluate it now (no model, completion off). */
export type ExtraContextPrefill = (request: HeadPrefillRequest, signal: AbortSignal) => Promise<BackendPrefillResult | undefined>;

/** What a completion request needs from the extra context. */
export interface RequestContext {
	readonly extraContext: readonly RingChunk[];
	readonly repoName?: string;
	/** The document's path in the workspace, as repo-level prompts show it. */
	readonly fileName: string;
}

/** The ring's key of copied text: one chunk, replaced by the next copy. */
const copiedKey = 'bora:copied-text';

/** The settings that shape the extra context. */
export type ExtraContextSettings = Pick<RuntimeSettings, 'extraContextEnabled' | 'extraContextMaxTokens' | 'extraContextExclude' | 'filesExclude'>;

/**
 * Fills the extra-context ring from the document events and editor context it is told about: the
 * lines around each edit of an open document, the range the active editor shows, the files the
 * document imports by relative path, and copied text. Once the user is idle after a change, it has
 * the engine evaluate the next prompt's head so the next request finds it cached.
 *
 * Only files the {@link ExtraContextPolicy} allows lend their text (inside a workspace folder,
 * symlinks resolved, not excluded); copied text, which the client sends only when the user turned it
 * on, is the one other source.
 */
export class ExtraContextService {
	private ring: ExtraContextRing;
	private enabled = defaultRuntimeSettings.extraContextEnabled;
	private maxTokens = defaultRuntimeSettings.extraContextMaxTokens;
	private readonly names = new WorkspaceNames();
	private readonly policy = new ExtraContextPolicy();
	private exclude: readonly string[] = defaultRuntimeSettings.extraContextExclude;
	private filesExclude: readonly string[] = defaultRuntimeSettings.filesExclude;
	/** Per ring key: whether that file, symlinks resolved, may be context; checked once while it is open. */
	private readonly verdicts = new Map<string, Promise<boolean>>();
	/** Lines of each open document as last seen, to find what an edit changed. */
	private readonly snapshots = new Map<string, string[]>();
	/** Per document: the import list last read, and the reading. */
	private readonly imports = new Map<string, { list: string; done: Promise<void> }>();
	private activeUri: string | undefined;
	/**
	 * The focused document's cursor as the client last reported it, with the document's version then:
	 * once the user typed (or a request came), it is stale, and evaluating a prompt there would
	 * overwrite the cache the requests at the real cursor keep right by themselves.
	 */
	private cursor: { readonly position: NonNullable<EditorContextParams['cursor']>; readonly version: number | undefined } | undefined;
	private lastRequestUri: string | undefined;
	private scheduled = { version: -1, target: '' };
	private readonly idle: IdlePrefill;
	private readonly options: Required<Omit<ExtraContextServiceOptions, 'scheduler'>>;

	constructor(
		private readonly documents: CompletionDocuments,
		private readonly prefillHead: ExtraContextPrefill,
		private readonly log: Logger,
		options: ExtraContextServiceOptions = {},
	) {
		const { scheduler, ...rest } = options;
		this.options = {
			idleMs: 1000, chunkLines: 64, maxChunks: 16, maxImports: 4, importLines: 32, maxImportBytes: 262_144, maxTrackedChars: 1_000_000, ...rest,
		};
		this.ring = this.createRing();
		this.policy.configure({ exclude: this.exclude, filesExclude: this.filesExclude });
		this.idle = new IdlePrefill({
			idleMs: this.options.idleMs,
			...(scheduler ? { scheduler } : {}),
			prefill: signal => this.prefill(signal),
			onError: error => this.log.warn(`Evaluating the extra context ahead failed: ${error instanceof Error ? error.message : String(error)}`),
		});
	}

	/** The workspace's folders, for the names prompts show. */
	/** The workspace's folders, for the names prompts show and the files that may be context. */
	setWorkspace(workspace: WorkspaceFolders): void {
		this.names.setFrom(workspace);
		this.policy.setFolders(this.names.folderPaths);
		this.restart();
	}

	configure(settings: ExtraContextSettings): void {
		const enabled = settings.extraContextEnabled ?? defaultRuntimeSettings.extraContextEnabled;
		const maxTokens = settings.extraContextMaxTokens ?? defaultRuntimeSettings.extraContextMaxTokens;
		const exclude = settings.extraContextExclude ?? defaultRuntimeSettings.extraContextExclude;
		const filesExclude = settings.filesExclude ?? defaultRuntimeSettings.filesExclude;
		if (enabled === this.enabled && maxTokens === this.maxTokens && sameList(exclude, this.exclude) && sameList(filesExclude, this.filesExclude)) {
			return;
		}
		this.enabled = enabled;
		this.maxTokens = maxTokens;
		this.exclude = exclude;
		this.filesExclude = filesExclude;
		this.policy.configure({ exclude, filesExclude });
		this.restart();
	}

	/** The extra context for a completion in `uri`: every chunk but that document's own (the prompt has its text). */
	async forRequest(uri: string): Promise<RequestContext> {
		const fileName = this.names.nameOf(uri);
		if (uri === this.activeUri) {
			this.cursor = undefined;
		}
		if (!this.enabled) {
			return { extraContext: [], fileName };
		}
		this.lastRequestUri = uri;
		await this.readImports(uri, false);
		this.idle.noteRequest();
		return { extraContext: await this.allowedChunksExcept(keyOf(uri)), repoName: this.names.repoName, fileName };
	}

	/** `bora/editorContext`: the active editor, the lines it shows and copied text. */
	didChangeEditorContext({ uri, visibleLines, copiedText, cursor }: EditorContextParams): void {
		if (uri !== undefined) {
			this.cursor = cursor && { position: cursor, version: this.documents.get(uri)?.version };
		}
		if (!this.enabled) {
			// The focused document's own window is evaluated ahead all the same; it is not extra context.
			if (uri !== undefined) {
				this.activeUri = uri;
				this.changed(true);
			}
			return;
		}
		if (uri !== undefined && uri !== this.activeUri) {
			this.activeUri = uri;
			// Switching to a document reads its imports again: a file may have changed on disk meanwhile.
			void this.readImports(uri, true);
		}
		const document = uri === undefined ? undefined : this.documents.get(uri);
		// A document too large to follow is not split on every scroll either.
		const lines = document && visibleLines && visibleLines.end > visibleLines.start && this.mayBeContext(document.uri) ? this.linesOf(document) : undefined;
		if (document && visibleLines && lines) {
			const { start, end } = windowAround(visibleLines.start, visibleLines.end, lines.length, this.options.chunkLines);
			// Scrolling a little must not churn the ring (and the cache): lines mostly held already stay as they are.
			if (end > start && this.ring.coveredLines(keyOf(document.uri), start, end) * 2 < end - start) {
				this.ring.add({ key: keyOf(document.uri), name: this.names.nameOf(document.uri), startLine: start, text: lines.slice(start, end).join('\n') });
			}
		}
		if (copiedText !== undefined && copiedText.trim().length > 0) {
			this.ring.add({ key: copiedKey, name: 'copied text', startLine: 0, text: copiedText });
		}
		// A document focused (again) is evaluated ahead even when nothing changed: the context may have been freed while the user was away.
		this.changed(uri !== undefined);
	}

	/** Evaluates the focused document's head ahead again, as when it was focused (a model just became ready). */
	refocus(): void {
		this.changed(true);
	}

	/** A document was closed: what was kept to follow its edits goes (its chunks stay, as context for other files). */
	didClose(uri: string): void {
		this.snapshots.delete(uri);
		this.imports.delete(uri);
		this.verdicts.delete(keyOf(uri));
	}

	dispose(): void {
		this.idle.dispose();
	}

	/** A document was opened or edited: the chunks an edit touched go, the lines around it come in as the newest chunk. */
	didChangeContent(document: CompletionDocument): void {
		if (!this.enabled) {
			return;
		}
		const key = keyOf(document.uri);
		if (!this.mayBeContext(document.uri)) {
			return;
		}
		const text = document.getText();
		if (text.length > this.options.maxTrackedChars) {
			this.snapshots.delete(document.uri);
			this.ring.remove(key);
			this.changed();
			return;
		}
		const lines = splitLines(text);
		const before = this.snapshots.get(document.uri);
		this.snapshots.set(document.uri, lines);
		if (!before) {
			// Opened: where it leads may have changed while it was closed (a symlink), and so may its text (on disk).
			this.verdicts.set(key, this.policy.allowsFile(key));
			this.ring.dropMismatched(key, lines);
			this.changed();
			return;
		}
		const edit = changedLines(before, lines);
		if (!edit) {
			return;
		}
		this.ring.applyEdit(key, edit);
		const { start, end } = windowAround(edit.startLine, edit.newEndLine, lines.length, this.options.chunkLines);
		this.ring.add({ key, name: this.names.nameOf(document.uri), startLine: start, text: lines.slice(start, end).join('\n') });
		this.changed();
	}

	/** The document's lines, from its snapshot when it is followed; `undefined` when it is too large to follow. */
	private linesOf(document: CompletionDocument): readonly string[] | undefined {
		const known = this.snapshots.get(document.uri);
		if (known) {
			return known;
		}
		const text = document.getText();
		return text.length > this.options.maxTrackedChars ? undefined : splitLines(text);
	}

	/** Everything the ring held was gathered under the old rules: it starts again, and the chunks come back with the next edits and views. */
	private restart(): void {
		this.ring = this.createRing();
		this.snapshots.clear();
		this.imports.clear();
		this.verdicts.clear();
		this.changed();
	}

	/** Whether the document may lend its text to another file's prompt, as far as its URI tells (see {@link allowedChunksExcept}). */
	private mayBeContext(uri: string): boolean {
		return uri.startsWith('file:') && this.policy.allowsPath(keyOf(uri));
	}

	/** The ring's chunks but `key`'s, less those of files that lead (through a symlink) where the policy refuses. */
	private async allowedChunksExcept(key: string): Promise<readonly RingChunk[]> {
		const chunks = this.ring.chunksExcept(key);
		const allowed = await Promise.all(chunks.map(chunk => chunk.key === copiedKey || this.verdictOf(chunk.key)));
		return chunks.filter((_, index) => allowed[index]);
	}

	private verdictOf(key: string): Promise<boolean> {
		let verdict = this.verdicts.get(key);
		if (!verdict) {
			verdict = this.policy.allowsFile(key);
			this.verdicts.set(key, verdict);
		}
		return verdict;
	}

	private createRing(): ExtraContextRing {
		return new ExtraContextRing({ maxChunks: this.options.maxChunks, maxLines: this.options.chunkLines, maxTokens: this.maxTokens });
	}

	/** Reads the document's relatively imported files into the ring, once per import list unless `refresh`. */
	private readImports(uri: string, refresh: boolean): Promise<void> {
		const document = this.documents.get(uri);
		const language = document && uri.startsWith('file:') ? importLanguageOf(document.languageId, uri) : undefined;
		if (!document || !language) {
			return Promise.resolve();
		}
		const found = relativeImports(document.getText(), language);
		const list = JSON.stringify(found);
		const known = this.imports.get(uri);
		if (known && known.list === list && !refresh) {
			return known.done;
		}
		const done = this.addImports(uri, found).catch(error => this.log.warn(`Reading the imports of ${uri} failed: ${String(error)}`));
		this.imports.set(uri, { list, done });
		return done;
	}

	private async addImports(uri: string, found: readonly string[][]): Promise<void> {
		const folder = dirname(fileURLToPath(uri));
		let added = 0;
		for (const candidates of found) {
			if (added >= this.options.maxImports) {
				break;
			}
			for (const candidate of candidates) {
				const path = resolve(folder, candidate);
				if (path === keyOf(uri) || !this.policy.allowsPath(path)) {
					continue;
				}
				const fileUri = pathToFileURL(path).href;
				// Checked on disk as the file is read, open or not: a verdict from when it was opened may be old.
				const text = await this.policy.allowsFile(path) ? this.documents.get(fileUri)?.getText() ?? await this.readSmallFile(path) : undefined;
				if (text === undefined) {
					continue;
				}
				this.verdicts.set(path, Promise.resolve(true));
				const head = splitLines(text).slice(0, this.options.importLines).join('\n');
				this.ring.add({ key: path, name: this.names.nameOf(fileUri), startLine: 0, text: head });
				added++;
				break;
			}
		}
		this.changed();
	}

	private async readSmallFile(path: string): Promise<string | undefined> {
		try {
			const info = await stat(path);
			if (!info.isFile() || info.size > this.options.maxImportBytes) {
				return undefined;
			}
			const text = await readFile(path, 'utf8');
			return text.includes('\0') ? undefined : text;
		} catch {
			return undefined;
		}
	}

	/** Schedules the evaluation ahead when the ring, or the document it is for, changed, or when `focused`. */
	private changed(focused = false): void {
		const target = this.activeUri ?? this.lastRequestUri ?? '';
		if (focused || this.ring.version !== this.scheduled.version || target !== this.scheduled.target) {
			this.scheduled = { version: this.ring.version, target };
			if (target && (this.enabled || this.focus(target))) {
				this.idle.markChanged();
			}
		}
	}

	/** The focused document's cursor, when the client told it for `target` and the document has not changed since. */
	private focus(target: string): HeadPrefillRequest['focus'] {
		const cursor = this.cursor;
		if (!cursor || target !== this.activeUri) {
			return undefined;
		}
		const version = this.documents.get(target)?.version;
		return cursor.version === undefined || cursor.version === version ? { uri: target, cursor: cursor.position } : undefined;
	}

	/**
	 * Evaluates what the next request in the focused document starts with: BOS, the extra context,
	 * and (with the cursor known) the document's window up to the cursor, built as a request there
	 * builds it, so the first keystroke in a file just opened or focused finds it cached.
	 */
	private async prefill(signal: AbortSignal): Promise<boolean> {
		const target = this.activeUri ?? this.lastRequestUri;
		const focus = target === undefined ? undefined : this.focus(target);
		if (!target || (!this.enabled && !focus)) {
			return true;
		}
		const fileName = this.names.nameOf(target);
		const head = this.enabled ? { extraContext: await this.allowedChunksExcept(keyOf(target)), repoName: this.names.repoName } : { extraContext: [] };
		const result = await this.prefillHead({ ...head, ...(focus ? { focus, fileName } : {}) }, signal);
		if (result && result.evaluatedTokens > 0) {
			this.log.info(`${focus ? 'prompt' : 'extra context'} for ${fileName}: ${result.evaluatedTokens} tokens evaluated ahead (${result.cachedTokens} cached)${result.aborted ? ', stopped for a request' : ''}`);
		}
		return !result?.aborted;
	}
}

/** One key per file whatever the client's URI spelling: the path for `file:` URIs, else the URI. */
function keyOf(uri: string): string {
	if (!uri.startsWith('file:')) {
		return uri;
	}
	try {
		return fileURLToPath(uri);
	} catch {
		return uri;
	}
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((item, index) => item === b[index]);
}

function splitLines(text: string): string[] {
	return text.split('\n');
}
