import { describeExpertPlacement } from '../../shared/expertPlacementText';
import { formatBytes } from '../../shared/formatBytes';
import type { DownloadProgress, FitPlacement, HardwareInfo, ModelFit, RecommendedModel, RuntimeState, VisionStatus } from '../../shared/protocol';

/** Lines for the "This machine" section, e.g. "GPU: NVIDIA RTX 4070 (CUDA) · 11.2 of 12.0 GB free". */
export function describeHardware(hardware: HardwareInfo): string[] {
	const gpu = hardware.backend === 'cpu'
		? 'GPU: none in use (CPU only)'
		: `GPU: ${hardware.gpuNames.join(', ') || 'unknown'} (${hardware.backend.toUpperCase()}) · ${formatBytes(hardware.vramFree)} of ${formatBytes(hardware.vramTotal)} free${hardware.unifiedMemory ? ' · unified memory' : ''}`;
	return [
		gpu,
		`RAM: ${formatBytes(hardware.ramFree)} of ${formatBytes(hardware.ramTotal)} free`,
		`CPU: ${hardware.cpuModel} · ${hardware.cpuCores} cores, ${hardware.cpuThreads} threads`,
	];
}

/** One line for a catalog model: size, fit (header-based, or marked preliminary) and expected speed. */
export function describeRecommended({ entry, fit, downloaded }: RecommendedModel): string {
	const speed = fit.estimatedTokensPerSecond === undefined ? '' : ` · ≈ ${fit.estimatedTokensPerSecond} tokens/s (estimate)`;
	const where = fit.placement ? ` · ${describePlacement(fit.placement)}` : ' · preliminary fit';
	return `${downloaded ? 'downloaded · ' : ''}${formatBytes(entry.model.sizeBytes + (entry.mmproj?.sizeBytes ?? 0))}${where}${speed}`;
}

/** Generation speed below which chat reads slower than a person does (tokens per second). */
export const minChatTokensPerSecond = 4;

/** Whether a model runs well here: it fits in the memory free now and answers at least at reading speed. */
export function runsWell({ fit }: RecommendedModel): boolean {
	const fitsNow = fit.level === 'gpu' || fit.level === 'partialGpu' || fit.level === 'cpu';
	return fitsNow && (fit.estimatedTokensPerSecond ?? 0) >= minChatTokensPerSecond;
}

/**
 * The first line of "Recommended for chat": which model runs well on this machine, or that none
 * does and why, so a small machine is never shown only models it cannot run.
 */
export function describeChatAdvice(chatModels: readonly RecommendedModel[], hardware?: HardwareInfo): ActiveLine {
	const good = chatModels.filter(runsWell);
	if (good.length > 0) {
		const names = good.map(model => `${model.entry.name}${model.fit.estimatedTokensPerSecond === undefined ? '' : ` (≈ ${model.fit.estimatedTokensPerSecond} tokens/s)`}`);
		return { text: `Runs well here: ${names.join(', ')}`, icon: 'thumbsup', tooltip: `Fits in the free memory and answers at ${minChatTokensPerSecond} tokens/s or more (an estimate until measured).` };
	}
	const machine = hardware ? ` (${hardware.cpuCores} CPU cores, ${formatBytes(hardware.ramTotal)} RAM${hardware.backend === 'cpu' ? ', no GPU' : ''})` : '';
	return {
		text: `None runs well here: each needs more memory than is free or answers under ${minChatTokensPerSecond} tokens/s on this machine${machine}`,
		icon: 'info',
		tooltip: 'Chat still works with a slow model, or with the completion model if it has a chat template. Closing other programs frees memory; a GPU makes every model faster.',
	};
}

/**
 * "GPU 28/28 layers · 8192 ctx" or "CPU · 4096 ctx": where a header-based fit puts the model; for a
 * Mixture-of-Experts model where its experts go, e.g. "experts of 27 of 36 layers in RAM · 19.2 GB
 * VRAM · 49.5 GB RAM · 8192 ctx".
 */
export function describePlacement(placement: FitPlacement): string {
	const gpu = describeExpertPlacement(placement) || (placement.gpuLayers === 0 ? 'CPU' : `GPU ${placement.gpuLayers}/${placement.totalLayers} layers`);
	return `${gpu} · ${placement.contextSize} ctx`;
}

/** The fit for a tooltip: where it comes from, the sentence, and the memory split when known. */
export function describeFitDetails(fit: ModelFit): string {
	if (!fit.placement) {
		return `Preliminary estimate from the catalog sizes: ${fit.summary} "Check Fit on This Machine" reads the model's header for the real numbers.`;
	}
	const { gpuLayers, totalLayers, contextSize, vramBytes, ramBytes } = fit.placement;
	const experts = describeExpertPlacement(fit.placement);
	return `From the GGUF header (node-llama-cpp's estimates): ${fit.summary} ${gpuLayers} of ${totalLayers} layers on the GPU, ${contextSize}-token context, ${formatBytes(vramBytes)} VRAM + ${formatBytes(ramBytes)} RAM.${experts ? ` Routed experts: ${experts}.` : ''}`;
}

/** "1.2 GB of 4.7 GB · 25.3 MB/s · 2 min 10 s left" for the progress notification. */
export function describeProgress(progress: DownloadProgress): string {
	const parts = [`${formatBytes(progress.downloadedBytes)} of ${formatBytes(progress.totalBytes)}`];
	if (progress.bytesPerSecond > 0) {
		parts.push(`${formatBytes(progress.bytesPerSecond)}/s`);
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

/** One line of the "In use" section. */
export interface ActiveLine {
	readonly text: string;
	readonly icon: string;
	readonly tooltip?: string;
}

/**
 * The "In use" section: the completion model with its speed forecast, the chat model (the same file
 * or its own) and the vision projector, each with its own status.
 */
export function describeActiveModels(state: RuntimeState | undefined, settings: { readonly chat: string; readonly mmproj?: string }, vision?: VisionStatus): ActiveLine[] {
	const lines: ActiveLine[] = [];
	switch (state?.kind) {
		case 'ready': {
			const speed = state.forecast ? ` · ${state.forecast.summary}` : ' · measuring speed…';
			lines.push({
				text: `Completion: ${state.model.name}${state.model.fim.supported ? speed : ' · no fill-in-the-middle'}`,
				icon: state.model.fim.supported ? 'pass-filled' : 'warning',
				tooltip: [
					state.model.path,
					...describePlacementLine(state),
					...(state.forecast ? [`Prompt ${state.forecast.promptTokensPerSecond} tokens/s, generation ${state.forecast.generationTokensPerSecond} tokens/s, measured ${state.forecast.measuredAt}`] : []),
				].join('\n'),
			});
			lines.push(state.chatModel
				? { text: `Chat: ${state.chatModel.name} · loads on the first chat`, icon: 'comment-discussion', tooltip: state.chatModel.path }
				: { text: `Chat: ${state.model.name} (same model, loaded once)`, icon: state.model.hasChatTemplate ? 'comment-discussion' : 'warning', tooltip: state.model.path });
			break;
		}
		case 'loading':
			lines.push({ text: `Completion: loading ${Math.round(state.progress * 100)}%`, icon: 'loading~spin', tooltip: state.modelPath });
			break;
		case 'error':
			lines.push({ text: `Completion: ${state.error.message}`, icon: 'error', tooltip: state.error.action });
			break;
		case 'idle':
		case undefined:
			lines.push({ text: 'Completion: no model', icon: 'circle-outline' });
			break;
		default:
			void (state satisfies never);
	}
	if (state?.kind !== 'ready' && settings.chat) {
		lines.push({ text: `Chat: ${baseName(settings.chat)}`, icon: 'comment-discussion', tooltip: settings.chat });
	}
	if (settings.mmproj) {
		const status = vision === undefined ? '' : vision.available ? (vision.loaded ? ' · loaded' : ' · loads on the first image') : ` · unavailable: ${vision.reason}`;
		lines.push({ text: `Vision: ${baseName(settings.mmproj)}${status}`, icon: vision?.available === false ? 'warning' : 'eye', tooltip: settings.mmproj });
	}
	return lines;
}

/**
 * "Placement: 28 of 28 layers on the GPU · 4,096-token context (fits in GPU memory)": what the
 * header-based fit (or bora.gpuLayers / bora.contextSize) chose for this load.
 */
export function describePlacementLine(runtime: { readonly gpuLayers?: number; readonly contextSize?: number; readonly fit?: ModelFit }): string[] {
	if (runtime.gpuLayers === undefined && runtime.contextSize === undefined) {
		return [];
	}
	const total = runtime.fit?.placement?.totalLayers;
	const layers = runtime.gpuLayers === undefined ? [] : [runtime.gpuLayers === 0 ? 'on the CPU (no GPU layers)' : `${runtime.gpuLayers}${total ? ` of ${total}` : ''} layers on the GPU`];
	const context = runtime.contextSize === undefined ? [] : [`${runtime.contextSize.toLocaleString('en-US')}-token context`];
	const fit = runtime.fit ? ` (${fitWords[runtime.fit.level]})` : '';
	const experts = runtime.fit?.placement ? describeExpertPlacement(runtime.fit.placement) : '';
	return [`Placement: ${[...layers, ...context].join(' · ')}${fit}`, ...(experts ? [`Experts: ${experts}`] : [])];
}

const fitWords: Record<ModelFit['level'], string> = {
	gpu: 'fits in GPU memory', partialGpu: 'split between GPU and RAM', cpu: 'fits in RAM', tight: 'more than is free now', tooLarge: 'too large for the free memory',
};

/** A Models view row: a short label that reads in full at the default width, the rest beside it and in the tooltip. */
export interface TreeLabel {
	readonly label: string;
	readonly description?: string;
	readonly tooltip: string;
}

/**
 * Splits a line such as "Completion: Qwen2.5 Coder 1.5B · ≈ 870 ms per suggestion" into the label
 * "Completion" and the description after it. VS Code cuts a long label at the view's edge, while
 * the description fades out after it and the tooltip shows everything, so the label stays short.
 * `details` (paths, measurements) go under the full line in the tooltip.
 */
export function toTreeLabel(text: string, details?: string): TreeLabel {
	const tooltip = details ? `${text}\n${details}` : text;
	const match = /^([^:\n]{1,24}): (.+)$/s.exec(text);
	return match ? { label: match[1]!, description: match[2]!, tooltip } : { label: text, tooltip };
}

function baseName(path: string): string {
	return path.split(/[\\/]/).pop() || path;
}
