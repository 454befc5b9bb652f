import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createModelDownloader, type Llama, type ModelDownloader } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { formatBytes } from '../../shared/formatBytes';
import { freeDiskBytes as statFreeDiskBytes } from './freeDiskBytes';
import type { ModelStore } from './ModelStore';
import type { DownloadedModel, DownloadProgress, ModelFit, ModelRole } from '../../shared/modelTypes';
import { verifyDownload } from './verifyDownload';

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
}

/**
 * Downloads a model into the store with node-llama-cpp's downloader: checks the fit from the header
 * and the free disk space first, resumes a partial download, verifies the result, and only then replaces an older copy.
 * Errors are {@link RuntimeError}s with codes `modelTooLarge`, `notEnoughDisk`, `downloadFailed`, `downloadCancelled`
 * and `verificationFailed`; a failure never touches a model that is already in the store.
 */
export async function downloadModel(llama: Llama, store: ModelStore, {
	id, name = id, role, uri, mmprojUri, expectedBytes, onProgress, progressIntervalMs = 250, signal,
	freeDiskBytes = statFreeDiskBytes, diskHeadroomBytes = 100e6, checkFit,
}: DownloadModelOptions): Promise<DownloadedModel> {
	signal?.throwIfAborted();
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
	for (const fileUri of mmprojUri ? [uri, mmprojUri] : [uri]) {
		downloaders.push(await createDownloader(fileUri, dir, signal));
	}
	const totalBytes = downloaders.reduce((sum, downloader) => sum + downloader.totalSize, 0);
	await checkDisk(totalBytes);

	const progress = progressReporter(totalBytes, progressIntervalMs, onProgress);
	let finishedBytes = 0;
	for (const downloader of downloaders) {
		try {
			const base = finishedBytes;
			const poll = setInterval(() => progress.report(base + downloader.downloadedSize), progressIntervalMs);
			try {
				await downloader.download({ signal });
				// node-llama-cpp's download resolves, not rejects, when a cancel closes it midway.
				signal?.throwIfAborted();
			} finally {
				clearInterval(poll);
			}
		} catch (error) {
			if (signal?.aborted) {
				throw new RuntimeError({ code: 'downloadCancelled', message: `The download of ${name} was cancelled.`, action: 'Download it again to resume where it stopped.' }, { cause: error });
			}
			throw RuntimeError.from(error, { code: 'downloadFailed', message: `The download of ${name} failed`, action: 'Check the network connection and download again; it resumes where it stopped.' });
		}
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

async function createDownloader(modelUri: string, dirPath: string, signal: AbortSignal | undefined): Promise<ModelDownloader> {
	try {
		return await createModelDownloader({ modelUri, dirPath, skipExisting: true, deleteTempFileOnCancel: false, parallelDownloads: 1 });
	} catch (error) {
		signal?.throwIfAborted();
		throw RuntimeError.from(error, { code: 'downloadFailed', message: `Cannot reach ${modelUri}`, action: 'Check the network connection (and the proxy settings), then try again.' });
	}
}

/** Bytes already in a folder: a partial download that will be resumed. */
async function bytesIn(dir: string): Promise<number> {
	const names = await readdir(dir).catch(() => [] as string[]);
	const sizes = await Promise.all(names.map(name => stat(join(dir, name)).then(stats => stats.size, () => 0)));
	return sizes.reduce((sum, size) => sum + size, 0);
}

/** Turns byte counts into throttled progress events with speed and time left. */
function progressReporter(totalBytes: number, intervalMs: number, onProgress: ((progress: DownloadProgress) => void) | undefined) {
	const started = performance.now();
	let startBytes: number | undefined;
	let lastReport = -Infinity;
	return {
		report(downloadedBytes: number, force = false) {
			const now = performance.now();
			startBytes ??= downloadedBytes;
			if (!onProgress || (!force && now - lastReport < intervalMs)) {
				return;
			}
			lastReport = now;
			const seconds = (now - started) / 1000;
			const bytesPerSecond = seconds > 0 ? Math.max(0, downloadedBytes - startBytes) / seconds : 0;
			const remaining = Math.max(0, totalBytes - downloadedBytes);
			const secondsLeft = bytesPerSecond > 0 ? Math.round(remaining / bytesPerSecond) : undefined;
			try {
				onProgress({ downloadedBytes, totalBytes, bytesPerSecond: Math.round(bytesPerSecond), ...(secondsLeft === undefined ? {} : { secondsLeft }) });
			} catch {
				// A failing listener must not break the download.
			}
		},
	};
}
