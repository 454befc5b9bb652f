import type { ReasoningEffort } from '../../shared/protocol';
import type { ClientState } from '../ClientState';
import type { EffortControlView, EffortLevelView } from '../../shared/webviewMessages';

export const effortLevels: readonly ReasoningEffort[] = ['off', 'low', 'medium', 'high'];

export const effortLabels: Readonly<Record<ReasoningEffort, string>> = { off: 'Off', low: 'Low', medium: 'Medium', high: 'High' };

export function isReasoningEffort(value: unknown): value is ReasoningEffort {
	return typeof value === 'string' && (effortLevels as readonly string[]).includes(value);
}

/**
 * What the reasoning-effort control offers for the chat model in `state`, with `setting` as the
 * chosen level. The header select, the status bar item and the command all show this one answer.
 */
export function describeEffortControl(state: ClientState, setting: ReasoningEffort): EffortControlView {
	const plain = (disabledReason?: string): EffortControlView => ({
		value: setting,
		levels: effortLevels.map(value => ({ value, label: effortLabels[value] })),
		...(disabledReason ? { disabledReason } : {}),
	});
	if (state.kind !== 'runtime') {
		return plain(state.kind === 'starting' ? 'The runtime is starting.' : 'The runtime is stopped.');
	}
	const runtime = state.runtime;
	if (runtime.kind !== 'ready') {
		return plain(runtime.kind === 'loading' ? 'The model is loading.' : 'No model is loaded.');
	}
	// Chat runs on its own model when one is configured; the control describes that one.
	const chatModel = runtime.chatModel ?? runtime.model;
	const reasoning = chatModel.reasoning;
	if (!reasoning.supported) {
		return { ...plain(`${chatModel.name} has no reasoning effort: ${reasoning.reason}`), model: chatModel.name };
	}
	const levels = effortLevels.map((value): EffortLevelView => value === 'off' && !reasoning.canTurnOff
		? { value, label: effortLabels[value], disabledReason: `${chatModel.name} always reasons; its thinking cannot be turned off.` }
		: { value, label: effortLabels[value] });
	return { value: setting, levels, model: chatModel.name };
}

/** The level actually sent: the setting, unless the model cannot honour it (Off on an always-reasoning model → Low). */
export function effectiveEffort(control: EffortControlView): ReasoningEffort {
	const chosen = control.levels.find(level => level.value === control.value);
	if (!chosen?.disabledReason) {
		return control.value;
	}
	return control.levels.find(level => !level.disabledReason)?.value ?? control.value;
}
