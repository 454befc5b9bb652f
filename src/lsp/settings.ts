import { isCompletionModeSetting } from '../shared/completionMode';
import type { GpuMode, RuntimeSettings } from '../shared/protocol';

/**
 * Reads runtime settings from untrusted JSON (initialization options, configuration pushes from any
 * editor). Unknown keys are ignored and wrongly typed values keep the current value.
 */
export function mergeSettings(base: RuntimeSettings, input: unknown): RuntimeSettings {
	if (!isRecord(input)) {
		return base;
	}
	// Editors that send their whole configuration nest ours under `bora`.
	const source = isRecord(input.bora) ? input.bora : input;
	const modelPath = firstString(source.modelPath, source.model);
	// Flat `chatModelPath` from Bora's client; `chat.modelPath` from editors that send the whole `bora` section.
	const chatModelPath = firstString(source.chatModelPath, isRecord(source.chat) ? source.chat.modelPath : undefined);
	const mmprojPath = firstString(source.mmprojPath, isRecord(source.chat) ? source.chat.mmprojPath : undefined);
	return {
		modelPath: modelPath ?? base.modelPath,
		chatModelPath: chatModelPath ?? base.chatModelPath ?? '',
		mmprojPath: mmprojPath ?? base.mmprojPath ?? '',
		completionEnabled: typeof source.completionEnabled === 'boolean' ? source.completionEnabled : base.completionEnabled,
		threads: typeof source.threads === 'number' && Number.isInteger(source.threads) && source.threads >= 0 ? source.threads : base.threads,
		gpu: isGpuMode(source.gpu) ? source.gpu : base.gpu,
		contextSize: isContextSize(source.contextSize) ? source.contextSize : base.contextSize ?? 0,
		gpuLayers: isGpuLayers(source.gpuLayers) ? source.gpuLayers : base.gpuLayers ?? -1,
		storageDir: typeof source.storageDir === 'string' ? source.storageDir : base.storageDir ?? '',
		extraContextEnabled: typeof source.extraContextEnabled === 'boolean' ? source.extraContextEnabled : base.extraContextEnabled ?? true,
		extraContextMaxTokens: isTokenBudget(source.extraContextMaxTokens) ? source.extraContextMaxTokens : base.extraContextMaxTokens ?? 1024,
		// `completion.mode` and `completion.candidates` from editors that send the whole `bora` section.
		completionMode: firstOf(isCompletionModeSetting, source.completionMode, isRecord(source.completion) ? source.completion.mode : undefined) ?? base.completionMode ?? 'auto',
		completionCandidates: firstOf(isCandidates, source.completionCandidates, isRecord(source.completion) ? source.completion.candidates : undefined) ?? base.completionCandidates ?? 3,
		maxSuffixCharsOnLine: firstOf(isTokenBudget, source.maxSuffixCharsOnLine, isRecord(source.completion) ? source.completion.maxSuffixCharsOnLine : undefined) ?? base.maxSuffixCharsOnLine ?? 8,
	};
}

/**
 * Parses the standalone command line: `--model PATH` plus the initialization option keys, e.g.
 * `--threads 4 --gpu off --completionEnabled false`. Returns an error message for bad input.
 */
export function parseCommandLine(argv: readonly string[]): { settings: Record<string, unknown> } | { error: string } {
	const settings: Record<string, unknown> = {};
	const known = new Set(['model', 'modelPath', 'chatModelPath', 'mmprojPath', 'threads', 'gpu', 'completionEnabled', 'contextSize', 'gpuLayers', 'storageDir', 'extraContextEnabled', 'extraContextMaxTokens', 'completionMode', 'completionCandidates']);
	// Transport flags belong to vscode-languageserver.
	const transport = new Set(['stdio', 'node-ipc', 'socket', 'pipe', 'clientProcessId']);
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) {
			continue;
		}
		const [rawKey, inlineValue] = arg.slice(2).split(/=(.*)/s, 2);
		if (transport.has(rawKey)) {
			if (inlineValue === undefined && (rawKey === 'socket' || rawKey === 'pipe' || rawKey === 'clientProcessId')) {
				i++;
			}
			continue;
		}
		if (!known.has(rawKey)) {
			return { error: `Unknown option --${rawKey}. Options: --model PATH, --chatModelPath PATH, --mmprojPath PATH, --threads N, --gpu auto|on|off, --contextSize N (0 = auto), --gpuLayers N (-1 = auto, 0 = CPU only), --storageDir PATH, --completionEnabled true|false, --extraContextEnabled true|false, --extraContextMaxTokens N, --completionMode auto|fim|chat, --completionCandidates N (1 to ${maxCandidates}), --stdio.` };
		}
		const value = inlineValue ?? argv[++i];
		if (value === undefined) {
			return { error: `Option --${rawKey} needs a value.` };
		}
		switch (rawKey) {
			case 'threads': {
				const threads = Number(value);
				if (!Number.isInteger(threads) || threads < 0) {
					return { error: `--threads must be a whole number ≥ 0, got "${value}".` };
				}
				settings.threads = threads;
				break;
			}
			case 'contextSize': {
				const contextSize = Number(value);
				if (!isContextSize(contextSize)) {
					return { error: `--contextSize must be 0 (automatic) or a whole number of tokens from ${minContextSize}, got "${value}".` };
				}
				settings.contextSize = contextSize;
				break;
			}
			case 'gpuLayers': {
				const gpuLayers = Number(value);
				if (!isGpuLayers(gpuLayers)) {
					return { error: `--gpuLayers must be -1 (automatic), 0 (CPU only) or a whole number of layers, got "${value}".` };
				}
				settings.gpuLayers = gpuLayers;
				break;
			}
			case 'storageDir':
				settings.storageDir = value;
				break;
			case 'extraContextEnabled':
				if (value !== 'true' && value !== 'false') {
					return { error: `--extraContextEnabled must be true or false, got "${value}".` };
				}
				settings.extraContextEnabled = value === 'true';
				break;
			case 'extraContextMaxTokens': {
				const tokens = Number(value);
				if (!isTokenBudget(tokens)) {
					return { error: `--extraContextMaxTokens must be a whole number of tokens ≥ 0, got "${value}".` };
				}
				settings.extraContextMaxTokens = tokens;
				break;
			}
			case 'completionMode':
				if (!isCompletionModeSetting(value)) {
					return { error: `--completionMode must be auto, fim or chat, got "${value}".` };
				}
				settings.completionMode = value;
				break;
			case 'completionCandidates': {
				const candidates = Number(value);
				if (!isCandidates(candidates)) {
					return { error: `--completionCandidates must be a whole number from 1 to ${maxCandidates}, got "${value}".` };
				}
				settings.completionCandidates = candidates;
				break;
			}
			case 'completionEnabled':
				if (value !== 'true' && value !== 'false') {
					return { error: `--completionEnabled must be true or false, got "${value}".` };
				}
				settings.completionEnabled = value === 'true';
				break;
			case 'gpu':
				if (!isGpuMode(value)) {
					return { error: `--gpu must be auto, on or off, got "${value}".` };
				}
				settings.gpu = value;
				break;
			case 'chatModelPath':
				settings.chatModelPath = value;
				break;
			case 'mmprojPath':
				settings.mmprojPath = value;
				break;
			default:
				settings.modelPath = value;
		}
	}
	return { settings };
}

/** Smaller contexts cannot hold a prompt and its answer. */
const minContextSize = 256;

function isContextSize(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && (value === 0 || value >= minContextSize);
}

function isTokenBudget(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** More suggestions than this cost time and are rarely cycled through. */
const maxCandidates = 5;

function isCandidates(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maxCandidates;
}

function isGpuLayers(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && value >= -1;
}

function isGpuMode(value: unknown): value is GpuMode {
	return value === 'auto' || value === 'on' || value === 'off';
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstOf<T>(accepts: (value: unknown) => value is T, ...values: unknown[]): T | undefined {
	return values.find(accepts);
}

function firstString(...values: unknown[]): string | undefined {
	return values.find((value): value is string => typeof value === 'string');
}
