import type { ModelDownloader } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { formatBytes } from '../../shared/formatBytes';
import { describeNetworkError } from './describeNetworkError';
import { formatSeconds } from './formatSeconds';
import { downloadFailedAction, findDownloadProblem, probeUrlOf } from './probeDownload';
import { keepPartialForResume } from './keepPartialForResume';
import type { ProgressReporter } from './progressReporter';
import { watchForStall } from './watchForStall';
import { abandonedDownloads } from './AbandonedDownloads';

export interface TransferFileOptions {
	/** The model's name, for messages. */
	readonly name: string;
	/** The file's URI, for messages and to ask the server again why it stopped. */
	readonly uri: string;
	/** Bytes of the files before this one, added to this file's for progress. */
	readonly baseBytes: number;
	readonly progress: ProgressReporter;
	readonly progressIntervalMs: number;
	/** No new byte for this long ends the transfer with `downloadFailed`. */
	readonly stallTimeoutMs: number;
	readonly signal?: AbortSignal;
}

/**
 * Runs one node-llama-cpp downloader to the end, reporting progress, and turns what can go wrong into
 * {@link RuntimeError}s: `downloadCancelled` when `signal` aborts, `downloadFailed` with the reason
 * when the server fails or stops sending. Its downloader (ipull) retries a broken transfer on its
 * own, silently and for minutes, resuming from where the bytes stopped; that is fine while bytes
 * come, so only a stall of `stallTimeoutMs` ends it: the downloader is closed with its partial file
 * kept, and the server is asked once more so the message says why ("connection refused by …").
 */
export async function transferFile(downloader: ModelDownloader, { name, uri, baseBytes, progress, progressIntervalMs, stallTimeoutMs, signal }: TransferFileOptions): Promise<void> {
	let stalled = false;
	let stalledAt = 0;
	let closing: Promise<void> | undefined;
	let stopWaiting = () => { };
	// Closing ipull's downloader does not end its retry loop: while it waits between attempts at a
	// server that refuses, `download()` stays pending (for up to 150 attempts). So a stall or a cancel
	// closes it here and stops the wait; the abandoned loop can write nothing more, as its streams are closed.
	const stopped = new Promise<void>(resolve => stopWaiting = resolve);
	const close = () => {
		closing ??= downloader.cancel({ deleteTempFile: false }).catch(() => undefined).then(() => keepPartialForResume(downloader)).finally(stopWaiting);
	};
	// After the last request of this transfer (the stall's question to the server included), the abandoned retry loop is ended.
	const abandon = () => closing && abandonedDownloads.abandon(downloader);
	const poll = setInterval(() => progress.report(baseBytes + downloader.downloadedSize), progressIntervalMs);
	const watch = watchForStall(() => downloader.downloadedSize, stallTimeoutMs, () => {
		stalled = true;
		stalledAt = downloader.downloadedSize;
		close();
	});
	// Added before node-llama-cpp's own abort listener, so this close (which is awaited) runs first.
	signal?.addEventListener('abort', close, { once: true });
	const transfer = downloader.download({ signal });
	transfer.catch(() => undefined);
	try {
		await Promise.race([transfer, stopped]);
	} catch (error) {
		if (signal?.aborted) {
			await closing;
			abandon();
			throw cancelled(name, error);
		}
		if (!stalled) {
			close();
			throw new RuntimeError({ code: 'downloadFailed', message: `The download of ${name} failed: ${describeNetworkError(error, probeUrlOf(uri) ?? uri)}.`, action: downloadFailedAction }, { cause: error });
		}
	} finally {
		clearInterval(poll);
		watch.stop();
		signal?.removeEventListener('abort', close);
		await closing;
	}
	// node-llama-cpp's download resolves, not rejects, when a cancel closes it midway.
	if (signal?.aborted) {
		abandon();
		throw cancelled(name, signal.reason);
	}
	if (stalled) {
		const at = `${formatBytes(stalledAt)} of ${formatBytes(downloader.totalSize)}`;
		const problem = await findDownloadProblem(uri, { timeoutMs: Math.min(stallTimeoutMs, 10_000), ...(signal ? { signal } : {}) }).finally(abandon);
		throw new RuntimeError({
			code: 'downloadFailed',
			message: `The download of ${name} stopped at ${at}: ${problem?.reason ?? `no data from the server for ${formatSeconds(stallTimeoutMs)}`}.`,
			action: downloadFailedAction,
		});
	}
}

function cancelled(name: string, cause: unknown): RuntimeError {
	return new RuntimeError({ code: 'downloadCancelled', message: `The download of ${name} was cancelled.`, action: 'Download it again to resume where it stopped.' }, { cause });
}

