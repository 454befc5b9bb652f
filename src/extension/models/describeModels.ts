import type { DownloadProgress, HardwareInfo, RecommendedModel } from '../../lsp/protocol';

/** `1_650_000_000` → `"1.6 GB"` (decimal, as download sizes are shown). */
export function formatSize(bytes: number): string {
	const units = ['B', 'KB', 'MB', 'GB', 'TB'];
	let value = Math.max(0, bytes);
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}
	return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** Lines for the "This machine" section, e.g. "GPU: NVIDIA RTX 4070 (CUDA) · 11.2 of 12.0 GB free". */
export function describeHardware(hardware: HardwareInfo): string[] {
	const gpu = hardware.backend === 'cpu'
		? 'GPU: none in use (CPU only)'
		: `GPU: ${hardware.gpuNames.join(', ') || 'unknown'} (${hardware.backend.toUpperCase()}) · ${formatSize(hardware.vramFree)} of ${formatSize(hardware.vramTotal)} free${hardware.unifiedMemory ? ' · unified memory' : ''}`;
	return [
		gpu,
		`RAM: ${formatSize(hardware.ramFree)} of ${formatSize(hardware.ramTotal)} free`,
		`CPU: ${hardware.cpuModel} · ${hardware.cpuCores} cores, ${hardware.cpuThreads} threads`,
	];
}

/** One line for a catalog model: size, fit and expected speed. */
export function describeRecommended({ entry, fit, downloaded }: RecommendedModel): string {
	const speed = fit.estimatedTokensPerSecond === undefined ? '' : ` · ≈ ${fit.estimatedTokensPerSecond} tokens/s (estimate)`;
	return `${downloaded ? 'downloaded · ' : ''}${formatSize(entry.model.sizeBytes + (entry.mmproj?.sizeBytes ?? 0))}${speed}`;
}

/** "1.2 GB of 4.7 GB · 25.3 MB/s · 2 min 10 s left" for the progress notification. */
export function describeProgress(progress: DownloadProgress): string {
	const parts = [`${formatSize(progress.downloadedBytes)} of ${formatSize(progress.totalBytes)}`];
	if (progress.bytesPerSecond > 0) {
		parts.push(`${formatSize(progress.bytesPerSecond)}/s`);
	}
	if (progress.secondsLeft !== undefined) {
		parts.push(`${formatDuration(progress.secondsLeft)} left`);
	}
	return parts.join(' · ');
}

function formatDuration(seconds: number): string {
	if (seconds < 60) {
		return `${Math.max(1, Math.round(seconds))} s`;
	}
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) {
		return `${minutes} min ${Math.round(seconds % 60)} s`;
	}
	return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
