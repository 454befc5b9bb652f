import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createModelDownloader, type Llama, type ModelDownloader } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { silentLogger, type Logger } from '../Logger';
import { formatBytes } from '../../shared/formatBytes';
import { formatSeconds } from './formatSeconds';
import { freeDiskBytes as statFreeDiskBytes } from './freeDiskBytes';
import type { ModelStore } from './ModelStore';
import type { DownloadedModel, DownloadProgress, ModelFit, ModelRole } from '../../shared/modelTypes';
import { describeNetworkError } from './describeNetworkError';
import { downloadFailedAction, probeDownload, probeUrlOf } from './probeDownload';
import { progressReporter } from './progressReporter';
import { transferFile } from './transferFile';
import { verifyDownload } from './verifyDownload';
import { abandonedDownloads } from './AbandonedDownloads';

export interface DownloadModelOptions {
	/** Folder name in the store and the model's id; catalog models use their catalog id. */
	readonly id: string;
	/** Shown in lists. Defaults to the id. */
	readonly name?: string;
	readonly role?: ModelRole;
	/** `hf:` or `http(s):` URI of the GGUF (the first part of a split model is enough). */
	readonly uri: string;
	/** URI of a vision projector to download alongside. Defaults to none. */
	readonly mmprojUri?: string;
	/** Approximate size for the disk check before anything is fetched. Defaults to checking only once the server has told the size. */
	readonly expectedBytes?: number;
	/** Receives progress at most every `progressIntervalMs`. */
	readonly onProgress?: (progress: DownloadProgress) => void;
	/** Defaults to `250`. */
	readonly progressIntervalMs?: number;
	/** Stops the download; the partial file is kept so the next attempt resumes. */
	readonly signal?: AbortSignal;
	/** Free bytes on the disk that holds a folder (tests inject a small one). Defaults to `fs.statfs`. */
	readonly freeDiskBytes?: (dir: string) => Promise<number>;
	/** Extra free space to leave on the disk. Defaults to `100 MB`. */
	readonly diskHeadroomBytes?: number;
	/**
	 * Checks the fit on this machine from the model's header before the body is fetched (e.g.
	 * `checkRemoteFit`); a `tooLarge` fit stops the download with `modelTooLarge`. A check that
	 * fails (no header, odd server) does not stop it: the download reports its own errors. Defaults to no check.
	 */
	readonly checkFit?: (signal: AbortSignal | undefined) => Promise<ModelFit>;
	/**
	 * How long the server may stay silent: no answer to a request, or no new byte of the body, for
	 * this long ends the download with `downloadFailed` ("no data from the server for 30 s"); the
	 * partial file is kept. Defaults to `30000`.
	 */
	readonly stallTimeoutMs?: number;
	/** Gets a line for each attempt and its outcome (URL, bytes, reason). Defaults to dropping them. */
	readonly logger?: Logger;
}

/**
 * Downloads a model into the store with node-llama-cpp's downloader: checks the fit from the header
 * and the free disk space first, resumes a partial download, verifies the result, and only then replaces an older copy.
 * Errors are {@link RuntimeError}s with codes `modelTooLarge`, `notEnoughDisk`, `downloadFailed`, `downloadCancelled`
 * and `verificationFailed`; a failure never touches a model that is already in the store. A network
 * failure ends the download at once with its reason (see {@link probeDownload}), and a server that
 * stops sending ends it after `stallTimeoutMs`; the partial file stays for the next attempt.
 */
export async function downloadModel(llama: Llama, store: ModelStore, options: DownloadModelOptions): Promise<DownloadedModel> {
	const { id, name = id, uri, mmprojUri, logger = silentLogger, onProgress } = options;
	const dir = store.partialDir(id);
	const started = performance.now();
	const files = mmprojUri ? `${uri} and ${mmprojUri}` : uri;
	let last: DownloadProgress | undefined;
	const resumable = await readdir(dir).then(names => names.length > 0, () => false);
	logger.info(`Downloading ${name} from ${files}${resumable ? ` (resuming the partial download in ${dir})` : ''}`);
	try {
		const model = await downloadSteps(llama, store, { ...options, onProgress: progress => { last = progress; onProgress?.(progress); } });
		logger.info(`Downloaded ${name} from ${files}: ${formatBytes(model.sizeBytes)} in ${formatSeconds(performance.now() - started)}`);
		return model;
	} catch (error) {
		const at = last ? `at ${formatBytes(last.downloadedBytes)} of ${formatBytes(last.totalBytes)}` : 'before any byte';
		const outcome = error instanceof RuntimeError && error.code === 'downloadCancelled' ? 'was cancelled' : 'failed';
		logger.warn(`The download of ${name} from ${files} ${outcome} ${at} after ${formatSeconds(performance.now() - started)}: ${error instanceof Error ? error.message : String(error)}`);
		throw error;
	}
}

async function downloadSteps(llama: Llama, store: ModelStore, {
	id, name = id, role, uri, mmprojUri, expectedBytes, onProgress, progressIntervalMs = 250, signal,
	freeDiskBytes = statFreeDiskBytes, diskHeadroomBytes = 100e6, checkFit, stallTimeoutMs = 30_000,
}: DownloadModelOptions): Promise<DownloadedModel> {
	signal?.throwIfAborted();
	const fileUris = mmprojUri ? [uri, mmprojUri] : [uri];
	fileUris.forEach(fileUri => abandonedDownloads.liftFor(fileUri));
	// Before the fit check, whose header read goes to the same server, and before the downloader, which retries for minutes.
	for (const fileUri of fileUris) {
		await probeDownload(fileUri, { timeoutMs: stallTimeoutMs, name, ...(signal ? { signal } : {}) });
	}
	const fit = await checkFit?.(signal).catch(() => {
		signal?.throwIfAborted();
		return undefined;
	});
	if (fit?.level === 'tooLarge') {
		throw new RuntimeError({
			code: 'modelTooLarge',
			message: `${name} does not fit this machine, so it was not downloaded. ${fit.summary}`,
			action: 'Pick a smaller or more quantized model (the Bora: Models view marks those that fit), or download it anyway.',
		});
	}
	const dir = store.partialDir(id);
	const checkDisk = async (totalBytes: number) => {
		const needed = totalBytes - await bytesIn(dir) + diskHeadroomBytes;
		const free = await freeDiskBytes(dir);
		if (free < needed) {
			throw new RuntimeError({
				code: 'notEnoughDisk',
				message: `Not enough disk space for ${name}: it needs ${formatBytes(needed)} more, and ${formatBytes(free)} is free.`,
				action: `Free some space on the disk that holds ${store.modelsDir}, or delete downloaded models in the Bora: Models view.`,
			});
		}
	};
	if (expectedBytes !== undefined) {
		await checkDisk(expectedBytes);
	}

	const downloaders: ModelDownloader[] = [];
	for (const fileUri of fileUris) {
		downloaders.push(await createDownloader(fileUri, dir, name, stallTimeoutMs, signal));
	}
	const totalBytes = downloaders.reduce((sum, downloader) => sum + downloader.totalSize, 0);
	await checkDisk(totalBytes);

	const progress = progressReporter(totalBytes, progressIntervalMs, onProgress);
	let finishedBytes = 0;
	for (const [index, downloader] of downloaders.entries()) {
		await transferFile(downloader, { name, uri: fileUris[index] ?? uri, baseBytes: finishedBytes, progress, progressIntervalMs, stallTimeoutMs, ...(signal ? { signal } : {}) });
		finishedBytes += downloader.totalSize;
		progress.report(finishedBytes, true);
	}

	const [model, mmproj] = downloaders as [ModelDownloader, ModelDownloader | undefined];
	try {
		for (const file of model.filesInfo) {
			await verifyDownload(llama, file.filePath, { expectedBytes: file.totalSize, loadable: false, signal });
		}
		await verifyDownload(llama, model.entrypointFilePath, { signal });
		if (mmproj) {
			await verifyDownload(llama, mmproj.entrypointFilePath, { expectedBytes: mmproj.totalSize, loadable: false, signal });
		}
	} catch (error) {
		// A damaged download must not be resumed from: start again next time.
		await store.discardPartial(id);
		throw error;
	}
	return store.commit({
		id, name, ...(role ? { role } : {}),
		modelPath: model.entrypointFilePath,
		...(mmproj ? { mmprojPath: mmproj.entrypointFilePath } : {}),
		sizeBytes: totalBytes,
		sourceUri: uri,
		downloadedAt: new Date().toISOString(),
	});
}

/**
 * node-llama-cpp's downloader for one file. `createModelDownloader` takes no signal and asks the
 * server for the size with ipull's 150 retries, so it gets `stallTimeoutMs` to answer: the probe just
 * succeeded, so a server that fails now is failing right now. A downloader that arrives too late is closed.
 */
async function createDownloader(modelUri: string, dirPath: string, name: string, stallTimeoutMs: number, signal: AbortSignal | undefined): Promise<ModelDownloader> {
	const creating = createModelDownloader({ modelUri, dirPath, skipExisting: true, deleteTempFileOnCancel: false, parallelDownloads: 1 });
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_resolve, reject) => {
		const fail = (reason: string) => reject(new RuntimeError({ code: 'downloadFailed', message: `The download of ${name} failed: ${reason}.`, action: downloadFailedAction }));
		timer = setTimeout(() => fail(`no answer from ${hostOf(modelUri)} for ${formatSeconds(stallTimeoutMs)}`), stallTimeoutMs);
		signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
	});
	try {
		return await Promise.race([creating, late]);
	} catch (error) {
		void creating.then(downloader => downloader.cancel({ deleteTempFile: false }), () => undefined);
		signal?.throwIfAborted();
		if (error instanceof RuntimeError) {
			throw error;
		}
		throw new RuntimeError({ code: 'downloadFailed', message: `The download of ${name} failed: ${describeNetworkError(error, probeUrlOf(modelUri) ?? modelUri)}.`, action: downloadFailedAction }, { cause: error });
	} finally {
		clearTimeout(timer);
	}
}

function hostOf(uri: string): string {
	const url = probeUrlOf(uri);
	return url && URL.canParse(url) ? new URL(url).host : uri;
}

/** Bytes already in a folder: a partial download that will be resumed. */
async function bytesIn(dir: string): Promise<number> {
	const names = await readdir(dir).catch(() => [] as string[]);
	const sizes = await Promise.all(names.map(name => stat(join(dir, name)).then(stats => stats.size, () => 0)));
	return sizes.reduce((sum, size) => sum + size, 0);
}
