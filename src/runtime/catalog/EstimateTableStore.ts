import { join } from 'node:path';
import { JsonEntryStore } from '../util/JsonEntryStore';
import type { ExpertLayout } from './expertLayout';
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

/**
 * Header-based estimates of remote models, per URI, in one JSON file in the storage directory:
 * reading a remote header is network access, so it happens once per model, on a user action, and
 * the fit is recomputed from the stored table for the memory free at the time.
 */
export class EstimateTableStore {
	private readonly store: JsonEntryStore<StoredTable>;

	constructor(storageDir: string) {
		this.store = new JsonEntryStore(join(storageDir, estimateTableFileName), { maxEntries, isEntry: isStoredTable, timeOf: stored => stored.readAt });
	}

	async get(uri: string): Promise<EstimateTable | undefined> {
		return (await this.store.get(uri))?.table;
	}

	put(uri: string, table: EstimateTable): Promise<void> {
		return this.store.put(uri, { table, readAt: new Date().toISOString() });
	}
}

function isStoredTable(value: unknown): value is StoredTable {
	const stored = value as StoredTable;
	return typeof value === 'object' && value !== null && typeof stored.readAt === 'string' && isTable(stored.table);
}

function isTable(value: unknown): value is EstimateTable {
	const table = value as EstimateTable;
	return typeof value === 'object' && value !== null && Number.isInteger(table.totalLayers) && typeof table.trainContextSize === 'number'
		&& Array.isArray(table.model) && table.model.length === table.totalLayers + 1
		&& Array.isArray(table.contextSizes) && Array.isArray(table.context) && table.context.length === table.contextSizes.length
		&& (table.experts === undefined || isExpertLayout(table.experts));
}

function isExpertLayout(value: unknown): boolean {
	const experts = value as ExpertLayout;
	return typeof value === 'object' && value !== null && Array.isArray(experts.bytesByLayer) && experts.bytesByLayer.every(bytes => typeof bytes === 'number')
		&& typeof experts.count === 'number' && experts.count > 0 && typeof experts.used === 'number' && experts.used > 0;
}
