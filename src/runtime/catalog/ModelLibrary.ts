import type { Llama } from 'node-llama-cpp';
import type { CatalogEntry, DownloadedModel, DownloadProgress, HardwareInfo, RecommendedModel } from '../../shared/modelTypes';
import { modelCatalog, findCatalogEntry } from './catalog';
import { checkFit } from './checkFit';
import { catalogFitOptions, checkCatalogFit, checkFileFit, checkRemoteFit, machineFitOptions, storedCatalogFit } from './checkModelFit';
import { detectHardware } from './detectHardware';
import { downloadModel, type DownloadModelOptions } from './downloadModel';
import { EstimateTableStore } from './EstimateTableStore';
import { ModelStore } from './ModelStore';
import { silentLogger, type Logger } from '../Logger';

export interface ModelLibraryOptions {
	/** llama.cpp, started when first needed (the runtime's own instance). */
	readonly llama: () => Promise<Llama>;
	/** Gets each download attempt and its outcome. Defaults to dropping them. */
	readonly logger?: Logger;
	/** Bytes of VRAM every fit leaves free (`bora.gpu.reserveGiB`), read at each request. Defaults to none. */
	readonly vramReserveBytes?: () => number;
}

/** A download of a catalog model, or of any GGUF by URI. */
export type ModelDownload =
	| { readonly catalogId: string }
	| Pick<DownloadModelOptions, 'id' | 'uri' | 'name'>;

export interface DownloadOptions {
	/** Download even when the header says the model cannot fit. Defaults to `false`. */
	readonly ignoreFit?: boolean;
	readonly onProgress?: (progress: DownloadProgress) => void;
	readonly signal?: AbortSignal;
}

/**
 * What the Models view asks of the runtime: this machine's hardware, the recommended catalog with
 * each model's fit, the downloaded models in a storage folder (VS Code's global storage, named by
 * the client with every request), their deletion and their downloads. Stateless between calls:
 * stores are opened per folder, and every fit is computed for the memory free at the time.
 */
export class ModelLibrary {
	constructor(private readonly options: ModelLibraryOptions) { }

	async hardware(): Promise<HardwareInfo> {
		return detectHardware(await this.options.llama());
	}

	/** Every catalog model with its fit; never the network: a downloaded file's header, a header read before, or the catalog's sizes. */
	async recommended(storageDir: string, signal?: AbortSignal): Promise<RecommendedModel[]> {
		const llama = await this.options.llama();
		const hardware = await detectHardware(llama);
		const downloaded = await this.listWithFit(llama, new ModelStore(storageDir), hardware, signal);
		const tables = new EstimateTableStore(storageDir);
		return Promise.all(modelCatalog.map(async entry => {
			const copy = downloaded.find(model => model.id === entry.id);
			const fit = copy?.fit ?? await storedCatalogFit(llama, entry, hardware, tables, this.machine()).catch(() => undefined) ?? checkFit(entry, hardware, { vramReserveBytes: this.machine().vramReserveBytes });
			return { entry, fit, ...(copy ? { downloaded: copy } : {}) };
		}));
	}

	/** A catalog model's fit from its real header, read over the network (the user asked for it). */
	async checkFit(storageDir: string, entry: CatalogEntry, signal?: AbortSignal): Promise<RecommendedModel> {
		const llama = await this.options.llama();
		const fit = await checkCatalogFit(llama, entry, await detectHardware(llama), { store: new EstimateTableStore(storageDir), fit: this.machine(), signal });
		const copy = await new ModelStore(storageDir).read(entry.id);
		return { entry, fit, ...(copy ? { downloaded: copy } : {}) };
	}

	/** Downloaded models with their header-based fit. */
	async downloaded(storageDir: string, signal?: AbortSignal): Promise<DownloadedModel[]> {
		const llama = await this.options.llama();
		return this.listWithFit(llama, new ModelStore(storageDir), await detectHardware(llama), signal);
	}

	delete(storageDir: string, id: string): Promise<void> {
		return new ModelStore(storageDir).delete(id);
	}

	/** Downloads into the store; the header comes first, so a model that cannot fit is refused before its body is fetched. */
	async download(storageDir: string, download: ModelDownload, { ignoreFit = false, onProgress, signal }: DownloadOptions = {}): Promise<DownloadedModel> {
		const llama = await this.options.llama();
		const store = new ModelStore(storageDir);
		const entry = 'catalogId' in download ? catalogEntry(download.catalogId) : undefined;
		const options = entry
			? {
				id: entry.id, name: entry.name, role: entry.role, uri: entry.model.uri,
				...(entry.mmproj ? { mmprojUri: entry.mmproj.uri } : {}),
				expectedBytes: entry.model.sizeBytes + (entry.mmproj?.sizeBytes ?? 0),
			}
			: download as Exclude<ModelDownload, { readonly catalogId: string }>;
		const tables = new EstimateTableStore(storageDir);
		const fit = { ...(entry ? catalogFitOptions(entry) : {}), ...this.machine() };
		return downloadModel(llama, store, {
			...options,
			...(ignoreFit ? {} : {
				checkFit: async (fitSignal: AbortSignal | undefined) => checkRemoteFit(llama, options.uri, await detectHardware(llama), { store: tables, fit, signal: fitSignal }),
			}),
			onProgress,
			signal,
			logger: this.options.logger ?? silentLogger,
		});
	}

	/** How every fit here plans a load: the VRAM reserve, and experts in RAM where a model has them. */
	private machine(): ReturnType<typeof machineFitOptions> {
		return machineFitOptions(this.options.vramReserveBytes?.() ?? 0);
	}

	/** Downloaded models with their header-based fit; a file whose header cannot be read is listed without one. */
	private async listWithFit(llama: Llama, store: ModelStore, hardware: HardwareInfo, signal: AbortSignal | undefined): Promise<DownloadedModel[]> {
		const models = await store.list();
		return Promise.all(models.map(async model => {
			const entry = findCatalogEntry(model.id);
			const fit = await checkFileFit(llama, model.modelPath, hardware, {
				...(entry ? catalogFitOptions(entry) : {}),
				...this.machine(),
				...(model.mmprojPath ? { mmprojPath: model.mmprojPath } : {}),
				signal,
			}).catch(() => undefined);
			return fit ? { ...model, fit } : model;
		}));
	}
}

function catalogEntry(catalogId: string): CatalogEntry {
	const entry = findCatalogEntry(catalogId);
	if (!entry) {
		throw new Error(`Unknown catalog id "${catalogId}"`);
	}
	return entry;
}
