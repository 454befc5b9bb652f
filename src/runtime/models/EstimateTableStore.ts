import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EstimateTable } from './headerEstimates';

/** The file in the storage directory that keeps header-based estimates per model URI. */
export const estimateTableFileName = 'header-estimates.json';

/** Stored tables beyond this many are dropped, oldest first. */
const maxEntries = 32;

interface StoredTable {
	readonly table: EstimateTable;
	/** ISO time the header was read. */
	readonly readAt: string;
}

interface TableFile {
	readonly version: 1;
	readonly entries: Record<string, StoredTable>;
}

/**
 * Header-based estimates of remote models, per URI, in one JSON file in the storage directory:
 * reading a remote header is network access, so it happens once per model, on a user action, and
 * the fit is recomputed from the stored table for the memory free at the time. A missing or
 * damaged file reads as empty; writes go through a temporary file and a rename.
 */
export class EstimateTableStore {
	readonly filePath: string;

	constructor(storageDir: string) {
		this.filePath = join(storageDir, estimateTableFileName);
	}

	async get(uri: string): Promise<EstimateTable | undefined> {
		return (await this.read()).entries[uri]?.table;
	}

	async put(uri: string, table: EstimateTable): Promise<void> {
		const entries = { ...(await this.read()).entries, [uri]: { table, readAt: new Date().toISOString() } };
		const kept = Object.entries(entries).sort(([, a], [, b]) => b.readAt.localeCompare(a.readAt)).slice(0, maxEntries);
		const file: TableFile = { version: 1, entries: Object.fromEntries(kept) };
		await mkdir(join(this.filePath, '..'), { recursive: true });
		const temporary = `${this.filePath}.${process.pid}.tmp`;
		await writeFile(temporary, JSON.stringify(file));
		await rename(temporary, this.filePath);
	}

	private async read(): Promise<TableFile> {
		try {
			const parsed = JSON.parse(await readFile(this.filePath, 'utf8')) as TableFile;
			if (parsed?.version === 1 && typeof parsed.entries === 'object' && parsed.entries !== null) {
				return { version: 1, entries: Object.fromEntries(Object.entries(parsed.entries).filter(([, value]) => isTable(value?.table))) };
			}
		} catch {
			// Missing or damaged: the header is read again on the next check.
		}
		return { version: 1, entries: {} };
	}
}

function isTable(value: unknown): value is EstimateTable {
	const table = value as EstimateTable;
	return typeof value === 'object' && value !== null && Number.isInteger(table.totalLayers) && typeof table.trainContextSize === 'number'
		&& Array.isArray(table.model) && table.model.length === table.totalLayers + 1
		&& Array.isArray(table.contextSizes) && Array.isArray(table.context) && table.context.length === table.contextSizes.length;
}
