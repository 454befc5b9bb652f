import { formatBytes } from './formatBytes';
import type { FitPlacement } from './modelTypes';

/**
 * One line for where a Mixture-of-Experts model's weights go, shown in the Models view and the
 * status tooltip: "experts of 22 of 36 layers in RAM · 14.1 GB VRAM · 52.0 GB RAM". Empty for a
 * dense model (a placement without `expertLayers`) and on the CPU, where there is nothing to place.
 * Both the runtime's plan and the extension use it.
 */
export function describeExpertPlacement(placement: FitPlacement): string {
	const { expertLayers, cpuExpertLayers = 0, gpuLayers, totalLayers, vramBytes, ramBytes } = placement;
	if (!expertLayers || gpuLayers === 0) {
		return '';
	}
	const memory = `${formatBytes(vramBytes)} VRAM · ${formatBytes(ramBytes)} RAM`;
	if (cpuExpertLayers > 0) {
		const layers = cpuExpertLayers >= expertLayers ? `all ${expertLayers} layers` : `${cpuExpertLayers} of ${expertLayers} layers`;
		const split = gpuLayers < totalLayers ? ` · ${gpuLayers} of ${totalLayers} layers on the GPU` : '';
		return `experts of ${layers} in RAM${split} · ${memory}`;
	}
	return gpuLayers >= totalLayers ? `all experts on the GPU · ${memory}` : `layer offload: ${gpuLayers} of ${totalLayers} layers on the GPU · ${memory}`;
}
