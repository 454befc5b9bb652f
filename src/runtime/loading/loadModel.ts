import { InsufficientMemoryError, type GgufFileInfo, type LlamaModel } from 'node-llama-cpp';
import { RuntimeError } from '../errors/RuntimeError';
import { detectFimFormat, type FimDetection } from '../fim/detectFimFormat';
import { vocabularyOf } from '../fim/vocabulary';
import { detectHardware } from '../catalog/detectHardware';
import { estimateFit, fitsNow, type FitEstimates } from '../catalog/estimateFit';
import { fitEstimatesFromInsights } from '../catalog/headerEstimates';
import type { ModelFit } from '../../shared/modelTypes';
import { detectReasoning } from '../reasoning/detectReasoning';
import type { ExpertPlacementInfo, ModelInfo } from '../../shared/types';
import { chooseExpertPlacement, unavailableChoice, type ExpertPlacementChoice } from './chooseExpertPlacement';
import type { LlamaHandle } from './createLlama';
import { describeModel } from './describeModel';
import { fewerGpuLayersNotice, gpuLayerAttempts } from './gpuLayerAttempts';
import { expertLayersOf } from './expertTensors';
import { inspectModelFile } from './inspectModelFile';
import { loadWithCpuExperts } from './loadWithCpuExperts';
import { notReadableAsGguf } from './notReadableAsGguf';

export interface LoadModelOptions {
	readonly modelPath: string;
	/** Receives load progress from 0 to 1. */
	readonly onProgress?: (progress: number) => void;
	readonly signal?: AbortSignal;
	/**
	 * Layers to put on the GPU; `auto` lets node-llama-cpp choose as many as leave room for the
	 * target context, and retries with fewer on out-of-memory. Defaults to `auto`.
	 */
	readonly gpuLayers?: number | 'auto';
	/** Context tokens forced by settings; defaults to the largest that fits, up to `targetContextSize`. */
	readonly contextSize?: number;
	/** Context the fit aims for when `contextSize` is not forced. Defaults to `4096` (completion's). */
	readonly targetContextSize?: number;
	/**
	 * `bora.moe.cpuExperts`: the routed experts of the first N layers stay in RAM (`all`: every layer;
	 * `0`: none; `auto`: the fit decides). Changes nothing for a dense model. Defaults to `auto`.
	 */
	readonly cpuExperts?: string;
	/** GPU memory the fit leaves free for other programs (`bora.gpu.reserveGiB`). Defaults to 1 GiB. */
	readonly gpuReserveBytes?: number;
	/** @internal For tests: the model path the placement addon's layout check expects (a wrong one acts out a changed node-llama-cpp). */
	readonly _layoutCheckPath?: string;
}

/** A model in memory with what Bora knows about it. Disposing it frees the weights. */
export interface LoadedModel extends AsyncDisposable {
	readonly model: LlamaModel;
	readonly info: ModelInfo;
	readonly fim: FimDetection;
	/** Layers llama.cpp put on the GPU. */
	readonly gpuLayers: number;
	/** Set when the load had to fall back, e.g. to fewer GPU layers after running out of memory. */
	readonly notice?: string;
	/** Where the routed experts went; absent for a dense model left on `auto`. */
	readonly experts?: ExpertPlacementInfo;
	/** The header-based fit on this machine at load time, for the GPU layers really used (a forced context judged as it is). */
	readonly fit: ModelFit;
	/** Context tokens to create: forced by settings, or the fit's choice; undefined when nothing fits, so engines use their defaults. */
	readonly contextSize?: number;
	/** True when free memory, not the target or the trained size, made the fit's context smaller than the target. */
	readonly contextLimited: boolean;
	/** node-llama-cpp's header estimates, to choose a smaller context after running out of memory. */
	readonly estimates: FitEstimates;
	dispose(): Promise<void>;
}

export async function loadModel({ llama }: LlamaHandle, {
	modelPath, onProgress, signal, gpuLayers: requestedGpuLayers = 'auto', contextSize, targetContextSize = 4096, cpuExperts = 'auto', gpuReserveBytes = 1024 ** 3, _layoutCheckPath,
}: LoadModelOptions): Promise<LoadedModel> {
	const { fileInfo, sizeBytes, insights } = await inspectModelFile(llama, modelPath, signal);
	const estimates = fitEstimatesFromInsights(insights);
	// Measured before the load: afterwards the model's own memory would count as taken.
	const hardware = await detectHardware(llama);
	let placement: ExpertPlacementChoice = await chooseExpertPlacement({
		modelPath, fileInfo, setting: cpuExperts, gpuLayers: requestedGpuLayers, reserveBytes: gpuReserveBytes, llama,
		...(contextSize === undefined ? {} : { contextSize }),
	});
	const { gpuLayers } = placement;
	// Automatic layers: node-llama-cpp's own choice, which simulates the load in llama.cpp (more exact
	// than the header estimates), told to leave room for the context the fit aims at; on out-of-memory,
	// fewer layers (see gpuLayerAttempts).
	const { attempts, fallbackFrom } = gpuLayerAttempts({
		gpu: llama.gpu !== false, gpuLayers, totalLayers: insights.totalLayers,
		fitContextSize: contextSize ?? Math.min(targetContextSize, estimates.trainContextSize),
	});
	let model: LlamaModel | undefined;
	let notice: string | undefined;
	for (const [index, layers] of attempts.entries()) {
		try {
			const loadOnce = () => llama.loadModel({
				modelPath,
				gpuLayers: layers,
				loadSignal: signal,
				onLoadProgress: progress => safeCall(onProgress, progress),
			});
			if (placement.patterns.length === 0) {
				model = await loadOnce();
			} else {
				const { result, outcome } = await loadWithCpuExperts(llama, { modelPath, patterns: placement.patterns, ...(_layoutCheckPath === undefined ? {} : { _layoutCheckPath }) }, loadOnce);
				model = result;
				if (!outcome.placed) {
					placement = unavailableChoice(expertLayersOf(fileInfo), gpuLayers, outcome.reason);
				}
			}
			if (index >= fallbackFrom) {
				notice = fewerGpuLayersNotice(gpuLayers, model.gpuLayers, insights.totalLayers);
			}
			break;
		} catch (error) {
			const retry = error instanceof InsufficientMemoryError && index < attempts.length - 1 && !signal?.aborted;
			if (!retry) {
				throw toLoadError(error, modelPath);
			}
		}
	}
	const loaded = model!;
	notice = [notice, placement.notice].filter(Boolean).join(' ') || undefined;
	try {
		return describeLoaded(loaded, {
			modelPath, fileInfo, sizeBytes, estimates, hardware, llama, contextSize, targetContextSize, notice, experts: placement.info,
			vramReserveBytes: gpuReserveBytes, cpuExpertLayers: placement.info?.cpuExpertLayers ?? 0,
		});
	} catch (error) {
		// llama.cpp took the file, but its metadata is not what Bora reads (a vocabulary of the wrong type).
		await loaded.dispose();
		throw notReadableAsGguf(error, modelPath);
	}
}

interface LoadFacts {
	readonly modelPath: string;
	readonly fileInfo: GgufFileInfo;
	readonly sizeBytes: number;
	readonly estimates: FitEstimates;
	readonly hardware: Awaited<ReturnType<typeof detectHardware>>;
	readonly llama: LlamaHandle['llama'];
	readonly contextSize: number | undefined;
	readonly targetContextSize: number;
	readonly vramReserveBytes: number;
	readonly cpuExpertLayers: number;
	readonly notice: string | undefined;
	readonly experts: ExpertPlacementInfo | undefined;
}

function describeLoaded(loaded: LlamaModel, { modelPath, fileInfo, sizeBytes, estimates, hardware, llama, contextSize, targetContextSize, vramReserveBytes, cpuExpertLayers, notice, experts }: LoadFacts): LoadedModel {
	const vocabulary = vocabularyOf(loaded.fileInfo);
	const fim = detectFimFormat(vocabulary, { addBos: loaded.tokens.shouldPrependBosToken });
	const info = describeModel({ modelPath, fileInfo, sizeBytes, fim, reasoning: detectReasoning(loaded.fileInfo, vocabulary) });
	const dispose = () => loaded.dispose();
	// The fit judges the split llama.cpp really made and chooses the context for it (or judges a forced one).
	const fit = estimateFit(estimates, hardware, {
		targetContextSize, vramPaddingBytes: llama.vramPaddingSize, vramReserveBytes, gpuLayers: loaded.gpuLayers, cpuExpertLayers,
		...(contextSize === undefined ? {} : { contextSize }),
	});
	const fitted = fitsNow(fit.level) ? fit.placement : undefined;
	const chosenContext = contextSize ?? fitted?.contextSize;
	const contextLimited = contextSize === undefined && fitted !== undefined && fitted.contextSize < Math.min(targetContextSize, estimates.trainContextSize);
	return {
		model: loaded, info, fim, gpuLayers: loaded.gpuLayers, fit, estimates, contextLimited,
		...(chosenContext === undefined ? {} : { contextSize: chosenContext }),
		...(notice ? { notice } : {}),
		...(experts ? { experts } : {}),
		dispose, [Symbol.asyncDispose]: dispose,
	};
}

function toLoadError(error: unknown, modelPath: string): RuntimeError {
	if (error instanceof InsufficientMemoryError) {
		return RuntimeError.from(error, {
			code: 'outOfMemory',
			message: `Not enough memory to load ${modelPath}`,
			action: 'Close other programs, choose a smaller or more quantized model, or set bora.gpu to "off" to use system RAM.',
		});
	}
	if (error instanceof Error && error.name === 'AbortError') {
		return RuntimeError.from(error, { code: 'loadFailed', message: 'Model loading was cancelled', action: 'Restart the runtime to load it again.' });
	}
	// llama.cpp's own words ("Failed to load model") are for the log; the user reads what to do.
	return notReadableAsGguf(error, modelPath, 'loadFailed');
}

function safeCall<T>(callback: ((value: T) => void) | undefined, value: T): void {
	try {
		callback?.(value);
	} catch {
		// A failing progress listener must not abort the load.
	}
}
