import { formatBytes } from '../../shared/formatBytes';
import type { CatalogEntry, FitLevel, HardwareInfo, ModelFit } from '../../shared/modelTypes';

export interface CheckFitOptions {
	/** Tokens of context to reserve KV cache for. Defaults to the entry's `fitContextTokens`. */
	readonly contextTokens?: number;
	/** Bytes for llama.cpp's compute buffers and runtime. Defaults to `400 MB`. */
	readonly overheadBytes?: number;
	/** Share of free VRAM that may be used. Defaults to `0.9`. */
	readonly vramUsableShare?: number;
	/** Bytes of free VRAM left to the desktop and other programs (`bora.gpu.reserveGiB`). Defaults to `0`. */
	readonly vramReserveBytes?: number;
	/** Memory bandwidth in bytes per second for the speed estimate. Defaults to `bandwidthOf(hardware)`. */
	readonly bandwidth?: { readonly gpu: number; readonly cpu: number };
}

/** Conservative bandwidths (bytes/s) for the speed estimate; a measured speed replaces it after load. */
export const memoryBandwidth = { gpu: 250e9, cpu: 25e9 } as const;

/**
 * Bytes per second one CPU core streams through llama.cpp's matrix kernels while generating. On a
 * machine with few cores generation is bound by the cores, not by the memory bus: two cores read
 * about 16 GB/s, not the 25 GB/s a desktop's memory allows.
 */
export const perCoreBandwidth = 8e9;

/** The bandwidths for this machine's speed estimate: the CPU's is capped by its physical cores. */
export function bandwidthOf(hardware: Pick<HardwareInfo, 'cpuCores'>): { readonly gpu: number; readonly cpu: number } {
	return { gpu: memoryBandwidth.gpu, cpu: Math.min(memoryBandwidth.cpu, Math.max(1, hardware.cpuCores) * perCoreBandwidth) };
}

/**
 * Share of RAM a Mixture-of-Experts model split between a discrete GPU and RAM may fill. Its experts
 * in RAM are read from the mapped file on every token; with too little room around them the OS pages
 * them out and generation falls to 1–2 tokens/s (reported for gpt-oss-120b, about 45 GB in RAM on a
 * 64 GB machine beside a 24 GB GPU, against 18–25 tokens/s with enough RAM).
 */
export const moeRamShare = 0.6;

/** Share of the theoretical bandwidth generation reaches in practice. */
const bandwidthEfficiency = 0.6;

/**
 * Whether a catalog model fits this machine, from its sizes and the free memory: the preliminary
 * estimate (basis `catalog`) shown until the GGUF header is read (see `estimateFit`). Pure.
 */
export function checkFit(entry: CatalogEntry, hardware: HardwareInfo, {
	contextTokens = entry.fitContextTokens,
	overheadBytes = 400e6,
	vramUsableShare = 0.9,
	vramReserveBytes = 0,
	bandwidth = bandwidthOf(hardware),
}: CheckFitOptions = {}): ModelFit {
	const weights = entry.model.sizeBytes + (entry.mmproj?.sizeBytes ?? 0);
	const requiredBytes = Math.round(weights + entry.kvBytesPerToken * contextTokens + overheadBytes);
	const hasGpu = hardware.backend !== 'cpu';
	const unified = hasGpu && hardware.unifiedMemory;
	const totalMemory = hardware.ramTotal + (hasGpu && !unified ? hardware.vramTotal : 0);
	const gpuFree = hasGpu ? Math.max(0, hardware.vramFree * vramUsableShare - vramReserveBytes) : 0;
	// On unified memory the VRAM is the RAM: count it once.
	const ramFree = unified ? 0 : hardware.ramFree;
	const need = formatBytes(requiredBytes);

	if (entry.minTotalMemoryBytes !== undefined && totalMemory < entry.minTotalMemoryBytes) {
		return fit('tooLarge', requiredBytes, `Needs a machine with at least ${formatBytes(entry.minTotalMemoryBytes)} of RAM + VRAM; this one has ${formatBytes(totalMemory)}.`);
	}
	const speed = (gpuShare: number) => estimateTokensPerSecond(entry, gpuShare, bandwidth);
	if (hasGpu && requiredBytes <= gpuFree) {
		return fit('gpu', requiredBytes, `Fits in GPU memory (${need} of ${formatBytes(gpuFree)} free).`, speed(1));
	}
	// A MoE model split between a discrete GPU and RAM: its RAM side must leave room around it (see moeRamShare).
	const ramSide = requiredBytes - gpuFree;
	if (hasGpu && !unified && entry.activeFraction < 1 && ramSide > hardware.ramTotal * moeRamShare) {
		const ramNeeded = formatBytes(Math.ceil(ramSide / moeRamShare / 1e9) * 1e9);
		return fit('tooLarge', requiredBytes, `Too large for this machine's RAM: beside this GPU about ${formatBytes(ramSide)} of experts stay in RAM and are read on every token, more than ${Math.round(moeRamShare * 100)}% of the ${formatBytes(hardware.ramTotal)} of RAM; the OS would page them out and generation would drop to a token or two per second. It needs about ${ramNeeded} of RAM with this GPU.`);
	}
	if (hasGpu && gpuFree > 0 && requiredBytes <= gpuFree + ramFree) {
		const share = gpuFree / requiredBytes;
		return fit('partialGpu', requiredBytes, `Fits split between GPU and RAM: ${Math.round(share * 100)}% on the GPU (${need} needed).`, speed(share));
	}
	if (requiredBytes <= (unified ? gpuFree : hardware.ramFree)) {
		return fit('cpu', requiredBytes, `Fits in RAM and runs on the CPU (${need} of ${formatBytes(hardware.ramFree)} free).`, speed(0));
	}
	if (requiredBytes <= totalMemory * 0.9) {
		return fit('tight', requiredBytes, `Needs ${need}; more than is free now. Close other programs first.`, speed(hasGpu ? Math.min(1, hardware.vramTotal / requiredBytes) : 0));
	}
	return fit('tooLarge', requiredBytes, `Too large: needs ${need}, this machine has ${formatBytes(totalMemory)} of RAM${hasGpu && !unified ? ' + VRAM' : ''}.`);
}

function estimateTokensPerSecond(entry: CatalogEntry, gpuShare: number, bandwidth: { gpu: number; cpu: number }): number {
	return bandwidthTokensPerSecond(entry.model.sizeBytes * entry.activeFraction, gpuShare, bandwidth);
}

/** Tokens per second when `gpuShare` of the weights sit in VRAM: generation is bound by memory bandwidth. */
export function bandwidthTokensPerSecond(activeBytes: number, gpuShare: number, bandwidth: { readonly gpu: number; readonly cpu: number } = memoryBandwidth): number {
	const secondsPerToken = activeBytes * (gpuShare / bandwidth.gpu + (1 - gpuShare) / bandwidth.cpu) / bandwidthEfficiency;
	return Math.max(0.1, Math.round(10 / secondsPerToken) / 10);
}

function fit(level: FitLevel, requiredBytes: number, summary: string, estimatedTokensPerSecond?: number): ModelFit {
	const basis = 'catalog' as const;
	return estimatedTokensPerSecond === undefined ? { level, requiredBytes, summary, basis } : { level, requiredBytes, summary, estimatedTokensPerSecond, basis };
}

/** Fit levels a user can pick without freeing memory first. */
export function fitsNow(level: FitLevel): boolean {
	return level === 'gpu' || level === 'partialGpu' || level === 'cpu';
}
