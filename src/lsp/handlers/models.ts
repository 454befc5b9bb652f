import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import type { Llama } from 'node-llama-cpp';
import {
	catalogFitOptions, checkCatalogFit, checkFileFit, checkFit, checkRemoteFit, detectHardware, downloadModel, EstimateTableStore, findCatalogEntry, modelCatalog,
	ModelStore, RuntimeError, storedCatalogFit, type HardwareInfo, type Runtime,
} from '../../runtime';
import {
	ModelsCheckFitRequest, ModelsDeleteRequest, ModelsDownloadProgressNotification, ModelsDownloadRequest, ModelsHardwareRequest, ModelsListRequest, ModelsRecommendedRequest,
	type DownloadedModel, type ModelsDownloadParams, type ModelsStorageParams, type RecommendedModel,
} from '../../shared/protocol';
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
		return runSafeAsync(log, async (signal): Promise<RecommendedModel[]> => {
			const { llama } = await runtime.llamaHandle();
			const hardware = await detectHardware(llama);
			const downloaded = await listWithFit(llama, store, hardware, signal);
			const tables = new EstimateTableStore(params.storageDir);
			return Promise.all(modelCatalog.map(async entry => {
				const copy = downloaded.find(model => model.id === entry.id);
				// Never the network here: a downloaded file's header, a header checked before, or the catalog sizes.
				const fit = copy?.fit ?? await storedCatalogFit(llama, entry, hardware, tables).catch(() => undefined) ?? checkFit(entry, hardware);
				return { entry, fit, ...(copy ? { downloaded: copy } : {}) };
			}));
		}, [], 'Error while listing recommended models', token);
	});

	connection.onRequest(ModelsCheckFitRequest.type, (params, token) => {
		const store = storeOf(params);
		const entry = catalogEntryOf(params.catalogId);
		return runSafeAsync(log, async (signal): Promise<RecommendedModel> => {
			const { llama } = await runtime.llamaHandle();
			const hardware = await detectHardware(llama);
			const fit = await checkCatalogFit(llama, entry, hardware, { store: new EstimateTableStore(params.storageDir), signal });
			const copy = await store.read(entry.id);
			return { entry, fit, ...(copy ? { downloaded: copy } : {}) };
		}, undefined as never, `Error while checking the fit of ${entry.id}`, token).then(result => {
			if (result === undefined) {
				throw new ResponseError(ErrorCodes.InternalError, 'The fit check failed; see the runtime log.');
			}
			return result;
		});
	});

	connection.onRequest(ModelsListRequest.type, (params, token) => {
		const store = storeOf(params);
		return runSafeAsync(log, async signal => {
			const { llama } = await runtime.llamaHandle();
			return listWithFit(llama, store, await detectHardware(llama), signal);
		}, [], 'Error while listing downloaded models', token);
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
			const tables = new EstimateTableStore(params.storageDir);
			const fit = request.entry ? catalogFitOptions(request.entry) : {};
			return downloadModel(llama, store, {
				...request.options,
				// The header first: a model that cannot fit is refused before its body is fetched.
				...(params.ignoreFit === true ? {} : {
					checkFit: async (fitSignal: AbortSignal | undefined) => checkRemoteFit(llama, request.options.uri, await detectHardware(llama), { store: tables, fit, signal: fitSignal }),
				}),
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
		const entry = catalogEntryOf(params.catalogId);
		return {
			downloadId,
			entry,
			options: {
				id: entry.id, name: entry.name, role: entry.role, uri: entry.model.uri,
				...(entry.mmproj ? { mmprojUri: entry.mmproj.uri } : {}),
				expectedBytes: entry.model.sizeBytes + (entry.mmproj?.sizeBytes ?? 0),
			},
		};
	}
	const uri = stringParam(params, 'uri');
	const id = stringParam(params, 'id');
	return { downloadId, entry: undefined, options: { id, uri, name: typeof params.name === 'string' ? params.name : id } };
}

function catalogEntryOf(catalogId: unknown) {
	const entry = typeof catalogId === 'string' ? findCatalogEntry(catalogId) : undefined;
	if (!entry) {
		throw new ResponseError(ErrorCodes.InvalidParams, `bora/models: unknown catalog id "${String(catalogId)}"`);
	}
	return entry;
}

/** Downloaded models with their header-based fit; a file whose header cannot be read is listed without one. */
async function listWithFit(llama: Llama, store: ModelStore, hardware: HardwareInfo, signal: AbortSignal): Promise<DownloadedModel[]> {
	const models = await store.list();
	return Promise.all(models.map(async model => {
		const entry = findCatalogEntry(model.id);
		const fit = await checkFileFit(llama, model.modelPath, hardware, {
			...(entry ? catalogFitOptions(entry) : {}),
			...(model.mmprojPath ? { mmprojPath: model.mmprojPath } : {}),
			signal,
		}).catch(() => undefined);
		return fit ? { ...model, fit } : model;
	}));
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
