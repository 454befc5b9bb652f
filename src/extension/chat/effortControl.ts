import type { ReasoningEffort } from '../../shared/protocol';
import type { ClientState } from '../ClientState';
import { displayModelName, remoteModelNames, serverSetsThoughtBudget, type RemoteView } from '../remote/describeRemote';
import type { EffortControlView, EffortLevelView } from '../../shared/webviewMessages';

export const effortLevels: readonly ReasoningEffort[] = ['off', 'low', 'medium', 'high'];

export const effortLabels: Readonly<Record<ReasoningEffort, string>> = { off: 'Off', low: 'Low', medium: 'Medium', high: 'High' };

/**
 * What each level allows, in the runtime's budgets (`resolveThoughtBudgets`): High always thinks
 * longest, so on a small context it is half the context and Medium and Low shrink below it.
 */
export const effortDescriptions: Readonly<Record<ReasoningEffort, string>> = {
	off: 'Answers without thinking, where the model can.',
	low: 'A short thought, up to 512 tokens (a quarter of Medium\'s on a small context).',
	medium: 'Up to 2,048 thought tokens (half of High\'s on a context under 8,192 tokens).',
	high: 'The longest thought the context allows while leaving room for the answer: three quarters of the chat context, or half of it below 8,192 tokens (2,048 thought tokens on a 4,096-token context).',
};

export function isReasoningEffort(value: unknown): value is ReasoningEffort {
	return typeof value === 'string' && (effortLevels as readonly string[]).includes(value);
}

/** What each level means when the server bounds the thought itself (vLLM, SGLang, a gateway). */
const serverBudgetDescriptions: Readonly<Record<ReasoningEffort, string>> = {
	off: 'Answers without thinking, where the model can.',
	low: "Asks for a short thought; the server decides how long.",
	medium: "Asks for a medium thought; the server decides how long.",
	high: "Asks for the longest thought; the server decides how long.",
};

/** The note beside the control when the thought budget is the server's. */
export const serverBudgetNote = "Thought budget: the server's";

/**
 * What the reasoning-effort control offers for the chat model in `state`, with `setting` as the
 * chosen level. The header select, the status bar item and the command all show this one answer.
 * With a remote engine the runtime maps the level for the server's model; where the server, not
 * Bora, bounds the thought, the control says so.
 */
export function describeEffortControl(state: ClientState, setting: ReasoningEffort, remote?: RemoteView): EffortControlView {
	if (remote && state.kind === 'runtime') {
		// A runtime that describes the server's model (its reasoning family) as a ready model: the usual control, plus the server's budget.
		if (state.runtime.kind !== 'ready') {
			return describeRemoteEffortControl(remote, setting);
		}
		const control = describeLocalEffortControl(state, setting);
		return withServerBudget(control.model === undefined ? control : { ...control, model: displayModelName(control.model) }, remote);
	}
	return describeLocalEffortControl(state, setting);
}

function describeLocalEffortControl(state: ClientState, setting: ReasoningEffort): EffortControlView {
	const plain = (disabledReason?: string): EffortControlView => ({
		value: setting,
		levels: effortLevels.map(value => ({ value, label: effortLabels[value], description: effortDescriptions[value] })),
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
		? { value, label: effortLabels[value], description: effortDescriptions[value], disabledReason: `${chatModel.name} always reasons; its thinking cannot be turned off.` }
		: { value, label: effortLabels[value], description: effortDescriptions[value] });
	return { value: setting, levels, model: chatModel.name };
}

/** The control before the runtime described the server's model: every level, named after the configured chat model. */
function describeRemoteEffortControl(remote: RemoteView, setting: ReasoningEffort): EffortControlView {
	const control = { value: setting, levels: effortLevels.map(value => ({ value, label: effortLabels[value], description: effortDescriptions[value] })), model: remoteModelNames(remote).chat };
	return withServerBudget(control, remote);
}

/** Where the server, not Bora, bounds the thought: each level says so, and the control carries the note. */
function withServerBudget(control: EffortControlView, remote: RemoteView): EffortControlView {
	if (control.disabledReason !== undefined || !serverSetsThoughtBudget(remote.status)) {
		return control;
	}
	return {
		...control,
		levels: control.levels.map(level => ({ ...level, description: serverBudgetDescriptions[level.value] })),
		note: `${serverBudgetNote}: Bora sends the effort, and the server decides how many tokens the model thinks.`,
	};
}

/** The level actually sent: the setting, unless the model cannot honour it (Off on an always-reasoning model → Low). */
export function effectiveEffort(control: EffortControlView): ReasoningEffort {
	const chosen = control.levels.find(level => level.value === control.value);
	if (!chosen?.disabledReason) {
		return control.value;
	}
	return control.levels.find(level => !level.disabledReason)?.value ?? control.value;
}
