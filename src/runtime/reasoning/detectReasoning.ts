import type { GgufFileInfo } from 'node-llama-cpp';
import type { Vocabulary } from '../fim/vocabulary';
import type { ReasoningSupport } from '../../shared/types';

export const noReasoningReason =
	'This model has no reasoning control: its chat template has no reasoning_effort or enable_thinking switch, and it has no thinking tokens.';

/**
 * Finds how a model's reasoning is steered, from its architecture, chat template and vocabulary.
 * Facts per family: Mistral Small 4 switches `reasoning_effort` none/high and thinks in [THINK];
 * Qwen3 switches `enable_thinking` and thinks in <think>; gpt-oss has native low/medium/high;
 * Magistral always reasons in [THINK] or <think>.
 */
export function detectReasoning(fileInfo: GgufFileInfo, vocabulary: Vocabulary): ReasoningSupport {
	const architecture = fileInfo.metadata.general?.architecture ?? '';
	const template = fileInfo.metadata.tokenizer?.chat_template ?? '';
	const hasTemplate = typeof template === 'string' && template.length > 0;
	if (architecture === 'gpt-oss' || (hasTemplate && template.includes('<|channel|>') && template.includes('reasoning_effort'))) {
		return { supported: true, family: 'gptOss', canTurnOff: false };
	}
	if (hasTemplate && template.includes('reasoning_effort') && vocabulary.find('[THINK]') !== undefined) {
		return { supported: true, family: 'mistral4', canTurnOff: true };
	}
	if (hasTemplate && template.includes('enable_thinking')) {
		return { supported: true, family: 'qwen3', canTurnOff: true };
	}
	if (vocabulary.find('[THINK]') !== undefined && hasTemplate && template.includes('[THINK]')) {
		return { supported: true, family: 'magistral', canTurnOff: false };
	}
	return { supported: false, reason: noReasoningReason };
}
