/*
 * Plain data about hardware, the recommended catalog and downloaded models. It crosses the wire
 * unchanged (`src/shared/protocol.ts`). No behaviour lives here.
 */
/** The llama.cpp backend a model runs on. */
export type Backend = 'cuda' | 'metal' | 'vulkan' | 'cpu';

/** What node-llama-cpp and the OS report about this machine. Sizes are bytes. */
export interface HardwareInfo {
	/** The backend llama.cpp runs on; `cpu` when no GPU backend works or bora.gpu is "off". */
	readonly backend: Backend;
	/** GPU device names reported by the backend; empty on the CPU. */
	readonly gpuNames: readonly string[];
	readonly vramTotal: number;
	readonly vramFree: number;
	/** True when the GPU shares system RAM (Apple silicon, many iGPUs). */
	readonly unifiedMemory: boolean;
	readonly ramTotal: number;
	readonly ramFree: number;
	/** Cores llama.cpp uses for math (physical cores). */
	readonly cpuCores: number;
	/** Logical processors the OS reports. */
	readonly cpuThreads: number;
	readonly cpuModel: string;
	readonly platform: string;
	readonly arch: string;
}

/** What a model is recommended for. */
export type ModelRole = 'completion' | 'chat';

/** One downloadable file: an `hf:` or `https:` URI and its approximate size. */
export interface CatalogFile {
	/** `hf:<user>/<repo>:<quant>`, `hf:<user>/<repo>/<file>` or `https://…`; split GGUFs are fetched whole. */
	readonly uri: string;
	/** Approximate size in bytes (the server's size is checked at download time). */
	readonly sizeBytes: number;
}

/** One recommended model. The data lives in `catalog.ts`. */
export interface CatalogEntry {
	/** Stable id, also the name of its folder in the model storage. */
	readonly id: string;
	readonly name: string;
	readonly role: ModelRole;
	readonly description: string;
	/** Total parameters, e.g. `30B`. */
	readonly parameters: string;
	/** Parameters used per token for MoE models, e.g. `3B`. */
	readonly activeParameters?: string;
	/** Fraction of the weights read per generated token (1 for dense models). */
	readonly activeFraction: number;
	readonly quantization: string;
	readonly model: CatalogFile;
	/** Vision projector paired with the chat model. */
	readonly mmproj?: CatalogFile;
	readonly license: string;
	/** Bytes of KV cache per token of context (f16), for the fit estimate. */
	readonly kvBytesPerToken: number;
	/** Context the fit estimate reserves. */
	readonly fitContextTokens: number;
	/** Only offered when RAM + VRAM reach this many bytes. */
	readonly minTotalMemoryBytes?: number;
	readonly fillInTheMiddle: boolean;
	readonly vision: boolean;
}

/**
 * Where a model would run: all layers on the GPU, split between GPU and RAM, on the CPU only,
 * only after freeing memory, or not at all.
 */
export type FitLevel = 'gpu' | 'partialGpu' | 'cpu' | 'tight' | 'tooLarge';

/**
 * What a fit was computed from: the catalog's approximate sizes (preliminary, no file needed) or
 * node-llama-cpp's insights into the GGUF header (the real tensor sizes and KV cache layout).
 */
export type FitBasis = 'catalog' | 'header';

/** Where the header-based fit puts the model; only fits with basis `header` carry it. */
export interface FitPlacement {
	/** Layers offloaded to the GPU (0 on the CPU). */
	readonly gpuLayers: number;
	readonly totalLayers: number;
	/** Context tokens that fit next to the weights (at most the target asked for). */
	readonly contextSize: number;
	/** Bytes of GPU memory the weights and context take. */
	readonly vramBytes: number;
	/** Bytes of RAM the weights and context take. */
	readonly ramBytes: number;
	/** Blocks with routed experts; present only for a Mixture-of-Experts model. */
	readonly expertLayers?: number;
	/** Leading blocks whose routed experts stay in RAM while their layers run on the GPU (`bora.moe.cpuExperts`); present only for a Mixture-of-Experts model. */
	readonly cpuExpertLayers?: number;
}

export interface ModelFit {
	readonly level: FitLevel;
	/** Bytes the model needs with its context and projector. */
	readonly requiredBytes: number;
	/** A sentence for the user, e.g. "Fits in GPU memory (5.2 of 8.0 GB free)". */
	readonly summary: string;
	/** Rough generation speed in tokens per second from memory bandwidth; measured speed replaces it once loaded. */
	readonly estimatedTokensPerSecond?: number;
	/** Absent on older runtimes, which only had catalog estimates. */
	readonly basis?: FitBasis;
	/** GPU layers, context and memory split; present when basis is `header`. */
	readonly placement?: FitPlacement;
}

/** A catalog entry with its fit on this machine and whether it is already downloaded. */
export interface RecommendedModel {
	readonly entry: CatalogEntry;
	/** The header-based fit when the model is downloaded or its header was checked, else the preliminary catalog estimate. */
	readonly fit: ModelFit;
	readonly downloaded?: DownloadedModel;
}

/** A model in Bora's storage folder. */
export interface DownloadedModel {
	readonly id: string;
	readonly name: string;
	readonly role?: ModelRole;
	/** The GGUF to load (the first part of a split model). */
	readonly modelPath: string;
	readonly mmprojPath?: string;
	/** Bytes on disk, all files together. */
	readonly sizeBytes: number;
	readonly sourceUri?: string;
	/** ISO time the download finished. */
	readonly downloadedAt: string;
	/** The header-based fit on this machine, computed when the runtime lists the model; never stored. */
	readonly fit?: ModelFit;
}

/** Progress of one download. */
export interface DownloadProgress {
	readonly downloadedBytes: number;
	readonly totalBytes: number;
	/** Bytes per second averaged over the download. */
	readonly bytesPerSecond: number;
	/** Seconds left at the current speed; absent while unknown. */
	readonly secondsLeft?: number;
}

/** A speed measured after load on this machine (see `measureSpeed`), stored per model file and machine. */
export interface SpeedForecast {
	readonly promptTokensPerSecond: number;
	readonly generationTokensPerSecond: number;
	/** Expected time for one typical inline suggestion. */
	readonly msPerSuggestion: number;
	/** e.g. "≈ 350 ms per suggestion on this machine". */
	readonly summary: string;
	/** ISO time of the measurement; a stored forecast keeps its original time. */
	readonly measuredAt: string;
}
