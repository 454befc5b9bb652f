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

/** Evaluates a prompt head ahead; `undefined` when nothing can evaluate it now (no model, completion off). */
export type ExtraContextPrefill = (request: BackendPrefillRequest, signal: AbortSignal) => Promise<BackendPrefillResult | undefined>;

/** What a completion request needs from the extra context. */
export interface RequestContext {
	readonly extraContext: readonly RingChunk[];
	readonly repoName?: string;
	/** The document's path in the workspace, as repo-level prompts show it. */
	readonly fileName: string;
}

/** The ring's key of copied text: one chunk, replaced by the next copy. */
const copiedKey = 'bora:copied-text';

/**
 * Fills the extra-context ring from the document events and editor context it is told about: the
 * lines around each edit of an open document, the range the active editor shows, the files the
 * document imports by relative path, and copied text. Once the user is idle after a change, it has
 * the engine evaluate the next prompt's head so the next request finds it cached.
 */
export class ExtraContextService {
	private ring: ExtraContextRing;
	private enabled = defaultRuntimeSettings.extraContextEnabled;
	private maxTokens = defaultRuntimeSettings.extraContextMaxTokens;
	private readonly names = new WorkspaceNames();
	/** Lines of each open document as last seen, to find what an edit changed. */
	private readonly snapshots = new Map<string, string[]>();
	/** Per document: the import list last read, and the reading. */
	private readonly imports = new Map<string, { list: string; done: Promise<void> }>();
	private activeUri: string | undefined;
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
		this.idle = new IdlePrefill({
			idleMs: this.options.idleMs,
			...(scheduler ? { scheduler } : {}),
			prefill: signal => this.prefill(signal),
			onError: error => this.log.warn(`Evaluating the extra context ahead failed: ${error instanceof Error ? error.message : String(error)}`),
		});
	}

	/** The workspace's folders, for the names prompts show. */
	setWorkspace(workspace: WorkspaceFolders): void {
		this.names.setFrom(workspace);
	}

	configure(settings: Pick<RuntimeSettings, 'extraContextEnabled' | 'extraContextMaxTokens'>): void {
		const enabled = settings.extraContextEnabled ?? defaultRuntimeSettings.extraContextEnabled;
		const maxTokens = settings.extraContextMaxTokens ?? defaultRuntimeSettings.extraContextMaxTokens;
		if (enabled === this.enabled && maxTokens === this.maxTokens) {
			return;
		}
		this.enabled = enabled;
		this.maxTokens = maxTokens;
		// A new budget starts a new ring: the chunks come back with the next edits and views.
		this.ring = this.createRing();
		this.snapshots.clear();
		this.imports.clear();
		this.changed();
	}

	/** The extra context for a completion in `uri`: every chunk but that document's own (the prompt has its text). */
	async forRequest(uri: string): Promise<RequestContext> {
		const fileName = this.names.nameOf(uri);
		if (!this.enabled) {
			return { extraContext: [], fileName };
		}
		this.lastRequestUri = uri;
		await this.readImports(uri, false);
		this.idle.noteRequest();
		return { extraContext: this.ring.chunksExcept(keyOf(uri)), repoName: this.names.repoName, fileName };
	}

	/** `bora/editorContext`: the active editor, the lines it shows and copied text. */
	didChangeEditorContext({ uri, visibleLines, copiedText }: EditorContextParams): void {
		if (!this.enabled) {
			return;
		}
		if (uri !== undefined && uri !== this.activeUri) {
			this.activeUri = uri;
			// Switching to a document reads its imports again: a file may have changed on disk meanwhile.
			void this.readImports(uri, true);
		}
		const document = uri === undefined ? undefined : this.documents.get(uri);
		if (document && visibleLines && visibleLines.end > visibleLines.start) {
			const lines = this.snapshots.get(document.uri) ?? splitLines(document.getText());
			const { start, end } = windowAround(visibleLines.start, visibleLines.end, lines.length, this.options.chunkLines);
			// Scrolling a little must not churn the ring (and the cache): lines mostly held already stay as they are.
			if (end > start && this.ring.coveredLines(keyOf(document.uri), start, end) * 2 < end - start) {
				this.ring.add({ key: keyOf(document.uri), name: this.names.nameOf(document.uri), startLine: start, text: lines.slice(start, end).join('\n') });
			}
		}
		if (copiedText !== undefined && copiedText.trim().length > 0) {
			this.ring.add({ key: copiedKey, name: 'copied text', startLine: 0, text: copiedText });
		}
		this.changed();
	}

	/** A document was closed: what was kept to follow its edits goes (its chunks stay, as context for other files). */
	didClose(uri: string): void {
		this.snapshots.delete(uri);
		this.imports.delete(uri);
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
			// Opened: chunks kept from before may describe an older version (changed on disk while closed).
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
				const fileUri = pathToFileURL(path).href;
				const text = path === keyOf(uri) ? undefined : this.documents.get(fileUri)?.getText() ?? await this.readSmallFile(path);
				if (text === undefined) {
					continue;
				}
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

	/** Schedules the evaluation ahead when the ring, or the document it is for, changed. */
	private changed(): void {
		const target = this.activeUri ?? this.lastRequestUri ?? '';
		if (this.ring.version !== this.scheduled.version || target !== this.scheduled.target) {
			this.scheduled = { version: this.ring.version, target };
			if (this.enabled && target) {
				this.idle.markChanged();
			}
		}
	}

	private async prefill(signal: AbortSignal): Promise<boolean> {
		const target = this.activeUri ?? this.lastRequestUri;
		if (!target || !this.enabled) {
			return true;
		}
		const result = await this.prefillHead({ extraContext: this.ring.chunksExcept(keyOf(target)), repoName: this.names.repoName }, signal);
		if (result && result.evaluatedTokens > 0) {
			this.log.info(`extra context for ${this.names.nameOf(target)}: ${result.evaluatedTokens} tokens evaluated ahead (${result.cachedTokens} cached)${result.aborted ? ', stopped for a request' : ''}`);
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

function splitLines(text: string): string[] {
	return text.split('\n');
}
