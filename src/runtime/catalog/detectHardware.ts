import { arch, availableParallelism, cpus, freemem, platform, totalmem } from 'node:os';
import type { Llama } from 'node-llama-cpp';
import type { HardwareInfo } from '../../shared/modelTypes';

/**
 * Reads the machine through node-llama-cpp (backend, GPU names, VRAM, math cores) and the OS (RAM,
 * CPU). Failing GPU queries give an empty GPU rather than an error: the CPU facts still help.
 */
export async function detectHardware(llama: Llama): Promise<HardwareInfo> {
	const backend = llama.gpu === false ? 'cpu' : llama.gpu;
	const [vram, gpuNames, ram] = await Promise.all([
		backend === 'cpu' ? undefined : llama.getVramState().catch(() => undefined),
		backend === 'cpu' ? [] : llama.getGpuDeviceNames().catch(() => []),
		llama.getRamState().catch(() => ({ total: totalmem(), free: freemem() })),
	]);
	return {
		backend,
		gpuNames,
		vramTotal: vram?.total ?? 0,
		vramFree: vram?.free ?? 0,
		unifiedMemory: (vram?.unifiedSize ?? 0) > 0,
		ramTotal: ram.total,
		ramFree: ram.free,
		cpuCores: llama.cpuMathCores,
		cpuThreads: availableParallelism(),
		cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
		platform: platform(),
		arch: arch(),
	};
}
