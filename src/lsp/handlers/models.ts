import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import { findCatalogEntry, type Runtime } from '../../runtime';
import type { CatalogEntry } from '../../shared/modelTypes';
import {
	ModelsCheckFitRequest, ModelsDeleteRequest, ModelsDownloadProgressNotification, ModelsDownloadRequest, ModelsHardwareRequest, ModelsListRequest, ModelsRecommendedRequest,
	type ModelsDownloadParams, type ModelsStorageParams,
} from '../../shared/protocol';
import { runSafeAsync, type HandlerLog } from '../runSafe';

/**
 * `bora/models/…`: hardware, the recommended catalog with fit, and downloads into the storage folder
 * the client names (VS Code's global storage). The runtime's model library does the work; this
 * only checks params.
 */
export function registerModels(connection: Connection, runtimeOf: () => Runtime, log: HandlerLog): void {
	const library = () => runtimeOf().models;
	connection.onRequest(ModelsHardwareRequest.type, token => runSafeAsync(log, () => library().hardware(),
		{ fail: { message: 'The hardware could not be detected', action: 'See the runtime log for details.' } }, 'Error while detecting the hardware', token));

	connection.onRequest(ModelsRecommendedRequest.type, (params, token) => {
		const storageDir = storageDirOf(params);
		return runSafeAsync(log, signal => library().recommended(storageDir, signal), { answer: [] }, 'Error while listing recommended models', token);
	});

	connection.onRequest(ModelsCheckFitRequest.type, (params, token) => {
		const storageDir = storageDirOf(params);
		const entry = catalogEntryOf(params.catalogId);
		return runSafeAsync(log, signal => library().checkFit(storageDir, entry, signal),
			{ fail: { message: `The fit of ${entry.name} could not be checked`, action: 'See the runtime log for details.' } }, `Error while checking the fit of ${entry.id}`, token);
	});

	connection.onRequest(ModelsListRequest.type, (params, token) => {
		const storageDir = storageDirOf(params);
		return runSafeAsync(log, signal => library().downloaded(storageDir, signal), { answer: [] }, 'Error while listing downloaded models', token);
	});

	connection.onRequest(ModelsDeleteRequest.type, (params, token) => {
		const storageDir = storageDirOf(params);
		const id = stringParam(params, 'id');
		return runSafeAsync(log, () => library().delete(storageDir, id),
			{ fail: { message: `The model ${id} could not be deleted`, action: 'See the runtime log for details.' } }, `Error while deleting model ${id}`, token);
	});

	connection.onRequest(ModelsDownloadRequest.type, (params, token) => {
		const storageDir = storageDirOf(params);
		const downloadId = stringParam(params, 'downloadId');
		const download = downloadOf(params);
		// A download must never look successful when it failed.
		return runSafeAsync(log, signal => library().download(storageDir, download, {
			ignoreFit: params.ignoreFit === true,
			signal,
			onProgress: progress => void connection.sendNotification(ModelsDownloadProgressNotification.type, { downloadId, ...progress }),
		}), { fail: { message: 'The download failed', action: 'See the runtime log for details, then try again.' } }, `Error while downloading ${'uri' in download ? download.uri : download.catalogId}`, token);
	});
}

function downloadOf(params: ModelsDownloadParams) {
	if (params.catalogId !== undefined) {
		return { catalogId: catalogEntryOf(params.catalogId).id };
	}
	const id = stringParam(params, 'id');
	return { id, uri: stringParam(params, 'uri'), name: typeof params.name === 'string' ? params.name : id };
}

function catalogEntryOf(catalogId: unknown): CatalogEntry {
	const entry = typeof catalogId === 'string' ? findCatalogEntry(catalogId) : undefined;
	if (!entry) {
		throw new ResponseError(ErrorCodes.InvalidParams, `bora/models: unknown catalog id "${String(catalogId)}"`);
	}
	return entry;
}

function storageDirOf(params: ModelsStorageParams): string {
	return stringParam(params, 'storageDir');
}

function stringParam(params: unknown, key: string): string {
	const value = typeof params === 'object' && params !== null ? (params as Record<string, unknown>)[key] : undefined;
	if (typeof value !== 'string' || value.length === 0) {
		throw new ResponseError(ErrorCodes.InvalidParams, `bora/models: ${key} must be a non-empty string`);
	}
	return value;
}
