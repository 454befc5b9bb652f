import type { DownloadProgress } from '../../shared/modelTypes';

export interface ProgressReporter {
	/** Reports `downloadedBytes` unless the last report is under the interval old; `force` reports anyway. */
	report(downloadedBytes: number, force?: boolean): void;
}

/** Turns byte counts into throttled progress events with speed and time left. */
export function progressReporter(totalBytes: number, intervalMs: number, onProgress: ((progress: DownloadProgress) => void) | undefined): ProgressReporter {
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
