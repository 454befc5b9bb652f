import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import { checkFit, detectHardware, downloadModel, findCatalogEntry, modelCatalog, ModelStore, RuntimeError, type Runtime } from '../../runtime';
import {
	ModelsDeleteRequest, ModelsDownloadProgressNotification, ModelsDownloadRequest, ModelsHardwareRequest, ModelsListRequest, ModelsRecommendedRequest,
	type DownloadedModel, type ModelsDownloadParams, type ModelsStorageParams, type RecommendedModel,
} from '../protocol';
import { runSafeAsync, type HandlerLog } from '../runSafe';

/**
 * `bora/models/…`: hardware, the recommended catalog with fit, and downloads into the storage folder
 * the client names (VS Code's global storage). The runtime does the work; this only checks params.
 */
export function registerModels(connection: Connection, runtime: Runtime, log: HandlerLog): void {
	connection.onRequest(ModelsHardwareRequest.type, token => runSafeAsync(log, async () => {
		return detectHardware((await runtime.llamaHandle()).llama);
	}, undefined as never, 'Error while detecting the hardware', token));

	connection.onRequest(ModelsRecommendedRequest.type, (params, token) => {
		const store = storeOf(params);
		return runSafeAsync(log, async (): Promise<RecommendedModel[]> => {
			const hardware = await detectHardware((await runtime.llamaHandle()).llama);
			const downloaded = await store.list();
			return modelCatalog.map(entry => {
				const copy = downloaded.find(model => model.id === entry.id);
				return { entry, fit: checkFit(entry, hardware), ...(copy ? { downloaded: copy } : {}) };
			});
		}, [], 'Error while listing recommended models', token);
	});

	connection.onRequest(ModelsListRequest.type, (params, token) => {
		const store = storeOf(params);
		return runSafeAsync(log, () => store.list(), [], 'Error while listing downloaded models', token);
	});

	connection.onRequest(ModelsDeleteRequest.type, (params, token) => {
		const store = storeOf(params);
		const id = stringParam(params, 'id');
		return runSafeAsync(log, () => store.delete(id), undefined, `Error while deleting model ${id}`, token);
	});

	connection.onRequest(ModelsDownloadRequest.type, (params, token) => {
		const store = storeOf(params);
		const request = parseDownload(params);
		return runSafeAsync(log, async (signal): Promise<DownloadedModel> => {
			const { llama } = await runtime.llamaHandle();
			return downloadModel(llama, store, {
				...request.options,
				signal,
				onProgress: progress => void connection.sendNotification(ModelsDownloadProgressNotification.type, { downloadId: request.downloadId, ...progress }),
			});
		}, undefined as never, `Error while downloading ${request.options.uri}`, token).then(result => {
			if (result === undefined) {
				// runSafeAsync answers the default on unexpected errors: a download must never look successful.
				throw new ResponseError(ErrorCodes.InternalError, 'The download failed; see the runtime log.');
			}
			return result;
		});
	});
}

function parseDownload(params: ModelsDownloadParams) {
	const downloadId = stringParam(params, 'downloadId');
	if (params.catalogId !== undefined) {
		const entry = findCatalogEntry(params.catalogId);
		if (!entry) {
			throw new ResponseError(ErrorCodes.InvalidParams, `bora/models/download: unknown catalog id "${params.catalogId}"`);
		}
		return {
			downloadId,
			options: {
				id: entry.id, name: entry.name, role: entry.role, uri: entry.model.uri,
				...(entry.mmproj ? { mmprojUri: entry.mmproj.uri } : {}),
				expectedBytes: entry.model.sizeBytes + (entry.mmproj?.sizeBytes ?? 0),
			},
		};
	}
	const uri = stringParam(params, 'uri');
	const id = stringParam(params, 'id');
	return { downloadId, options: { id, uri, name: typeof params.name === 'string' ? params.name : id } };
}

function storeOf(params: ModelsStorageParams): ModelStore {
	try {
		return new ModelStore(stringParam(params, 'storageDir'));
	} catch (error) {
		throw error instanceof RuntimeError ? new ResponseError(ErrorCodes.InvalidParams, error.message) : error;
	}
}

function stringParam(params: unknown, key: string): string {
	const value = typeof params === 'object' && params !== null ? (params as Record<string, unknown>)[key] : undefined;
	if (typeof value !== 'string' || value.length === 0) {
		throw new ResponseError(ErrorCodes.InvalidParams, `bora/models: ${key} must be a non-empty string`);
	}
	return value;
}
