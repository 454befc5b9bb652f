import type { GgufFileInfo, Llama } from 'node-llama-cpp';
import type { ExpertPlacementInfo, RuntimeErrorInfo } from '../../shared/types';
import { cpuExpertPatterns, expertLayersInRam, expertLayersOf, type ExpertLayers } from './expertTensors';
import { parseCpuExperts } from './loadSettings';
import { probeCpuExperts } from './loadWithCpuExperts';
import { planExpertPlacement } from './planExpertPlacement';

export interface ChooseExpertPlacementOptions {
	readonly modelPath: string;
	readonly fileInfo: GgufFileInfo;
	/** `bora.moe.cpuExperts` as set: `auto`, `all`, or a count of leading layers. */
	readonly setting: string;
	readonly gpuLayers: number | 'auto';
	readonly contextSize?: number;
	/** `bora.gpu.reserveGiB` in bytes. */
	readonly reserveBytes: number;
	readonly llama: Llama;
}

export interface ExpertPlacementChoice {
	/** The GPU layers to load with (the plan's, for `auto`). */
	readonly gpuLayers: number | 'auto';
	/** The overrides for `loadWithCpuExperts`; empty when every expert stays with its layer. */
	readonly patterns: readonly string[];
	/** What to report; absent for a dense model left on `auto` or `0`. */
	readonly info?: ExpertPlacementInfo;
	/** A line for the ready state's notice: the setting does nothing here, or cannot be honoured. */
	readonly notice?: string;
}

/**
 * Resolves `bora.moe.cpuExperts` for one load: `all` keeps the routed experts of every layer in RAM,
 * N those of layers 0 … N-1 (llama.cpp's `--n-cpu-moe N` counts leading dense layers too), `0` none,
 * `auto` asks the header-based fit. A dense model is loaded as it is, and a setting that asked for
 * something says so. When this build cannot place experts the load uses plain layer offload and says what to do.
 */
export async function chooseExpertPlacement({ modelPath, fileInfo, setting, gpuLayers, contextSize, reserveBytes, llama }: ChooseExpertPlacementOptions): Promise<ExpertPlacementChoice> {
	const layers = expertLayersOf(fileInfo);
	const asked = parseCpuExperts(setting);
	if (layers.expertLayers.length === 0) {
		if (asked === 'auto' || asked === 0) {
			return { gpuLayers, patterns: [] };
		}
		const summary = `No routed experts in this model: bora.moe.cpuExperts "${setting}" changes nothing.`;
		return { gpuLayers, patterns: [], info: { cpuExpertLayers: 0, expertLayers: 0, totalLayers: layers.totalLayers, summary }, notice: summary };
	}
	const probe = await probeCpuExperts(llama);
	let cpuExpertLayers: number;
	let chosenGpuLayers = gpuLayers;
	let planSummary = '';
	if (asked === 'auto') {
		const plan = await planExpertPlacement({ modelPath, setting, gpuLayers, reserveBytes, canPlaceExperts: probe.placed, llama, ...(contextSize === undefined ? {} : { contextSize }) });
		cpuExpertLayers = plan.cpuExpertLayers;
		chosenGpuLayers = plan.gpuLayers;
		planSummary = plan.summary;
	} else {
		cpuExpertLayers = asked === 'all' ? layers.totalLayers : Math.min(asked, layers.totalLayers);
	}
	const summary = planSummary || placementSummary(layers, cpuExpertLayers);
	if (cpuExpertLayers > 0 && !probe.placed) {
		return unavailableChoice(layers, gpuLayers, probe.reason);
	}
	return {
		gpuLayers: chosenGpuLayers,
		patterns: cpuExpertPatterns(cpuExpertLayers, layers.totalLayers),
		info: { cpuExpertLayers: Math.min(cpuExpertLayers, layers.totalLayers), expertLayers: layers.expertLayers.length, totalLayers: layers.totalLayers, summary },
	};
}

/** The choice after llama.cpp could not get the overrides: every expert stayed with its layer. */
export function unavailableChoice(layers: ExpertLayers, gpuLayers: number | 'auto', reason: string): ExpertPlacementChoice {
	const unavailable = expertPlacementUnavailable(reason);
	return {
		gpuLayers, patterns: [], notice: `${unavailable.message} ${unavailable.action}`,
		info: { cpuExpertLayers: 0, expertLayers: layers.expertLayers.length, totalLayers: layers.totalLayers, summary: placementSummary(layers, 0), unavailable },
	};
}

export function expertPlacementUnavailable(reason: string): RuntimeErrorInfo {
	return {
		code: 'expertPlacementUnavailable',
		message: `The routed experts could not be kept in RAM (${reason}); loaded with plain layer offload, which is much slower for a large MoE model on a small GPU.`,
		action: 'Rebuild Bora with npm run build (it builds the expert-placement addon with cmake and g++, for the node-llama-cpp version installed), or set bora.moe.cpuExperts to "0" to load this way without the notice.',
	};
}

function placementSummary(layers: ExpertLayers, cpuExpertLayers: number): string {
	const inRam = expertLayersInRam(layers, cpuExpertLayers);
	return `experts of ${inRam} of ${layers.expertLayers.length} layers in RAM`;
}
