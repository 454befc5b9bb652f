import { basename } from 'node:path';
import type { GgufFileInfo } from 'node-llama-cpp';
import type { FimDetection } from '../fim/detectFimFormat';
import type { ModelInfo, ReasoningSupport } from '../../shared/types';

export interface DescribeModelInput {
	readonly modelPath: string;
	readonly fileInfo: GgufFileInfo;
	readonly sizeBytes: number;
	readonly fim: FimDetection;
	readonly reasoning: ReasoningSupport;
}

/** Turns GGUF metadata into the facts Bora shows and reasons about. */
export function describeModel({ modelPath, fileInfo, sizeBytes, fim, reasoning }: DescribeModelInput): ModelInfo {
	const general = fileInfo.metadata.general;
	const arch = fileInfo.architectureMetadata as Record<string, unknown>;
	const expertCount = numberOr(arch.expert_count, 0);
	const chatTemplate = fileInfo.metadata.tokenizer?.chat_template;
	const hasChatTemplate = typeof chatTemplate === 'string' && chatTemplate.length > 0;
	return {
		name: typeof general?.name === 'string' && general.name.trim() ? general.name.trim() : basename(modelPath),
		path: modelPath,
		architecture: general?.architecture ?? 'unknown',
		sizeBytes,
		trainContextSize: numberOr(arch.context_length, 0),
		experts: expertCount > 0 ? { count: expertCount, used: numberOr(arch.expert_used_count, 0) } : undefined,
		hasChatTemplate,
		fim: 'format' in fim ? { supported: true, format: fim.format.name } : { supported: false, reason: fim.reason },
		reasoning,
	};
}

function numberOr(value: unknown, fallback: number): number {
	if (typeof value === 'number' && Number.isFinite(value)) {
		return value;
	}
	return typeof value === 'bigint' ? Number(value) : fallback;
}
