import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface JsonEntryStoreOptions<T> {
	/** Entries beyond this many are dropped, oldest first. */
	readonly maxEntries: number;
	/** Whether a stored value is still a valid entry (files outlive versions of Bora). */
	readonly isEntry: (value: unknown) => value is T;
	/** An ISO time that orders entries, newest kept. */
	readonly timeOf: (entry: T) => string;
}

interface EntryFile<T> {
	readonly version: 1;
	readonly entries: Record<string, T>;
}

/**
 * Small keyed records in one JSON file: a missing or damaged file, or an entry that no longer
 * validates, reads as absent; writes go through a temporary file and a rename, so a crash never
 * leaves half a file.
 */
export class JsonEntryStore<T> {
	constructor(readonly filePath: string, private readonly options: JsonEntryStoreOptions<T>) { }

	async get(key: string): Promise<T | undefined> {
		return (await this.read()).entries[key];
	}

	async put(key: string, entry: T): Promise<void> {
		const { maxEntries, timeOf } = this.options;
		const entries = { ...(await this.read()).entries, [key]: entry };
		const kept = Object.entries(entries).sort(([, a], [, b]) => timeOf(b).localeCompare(timeOf(a))).slice(0, maxEntries);
		const file: EntryFile<T> = { version: 1, entries: Object.fromEntries(kept) };
		await mkdir(dirname(this.filePath), { recursive: true });
		const temporary = `${this.filePath}.${process.pid}.tmp`;
		await writeFile(temporary, JSON.stringify(file, undefined, '\t'));
		await rename(temporary, this.filePath);
	}

	private async read(): Promise<EntryFile<T>> {
		try {
			const parsed = JSON.parse(await readFile(this.filePath, 'utf8')) as Partial<EntryFile<unknown>> | null;
			if (parsed?.version === 1 && typeof parsed.entries === 'object' && parsed.entries !== null) {
				return { version: 1, entries: Object.fromEntries(Object.entries(parsed.entries).filter((pair): pair is [string, T] => this.options.isEntry(pair[1]))) };
			}
		} catch {
			// Missing or damaged: as if empty.
		}
		return { version: 1, entries: {} };
	}
}
