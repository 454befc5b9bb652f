import { completionStatsText } from '../shared/completionStatsText';
import { completionModeOf } from '../shared/completionMode';
import { formatBytes } from '../shared/formatBytes';
import { type CompletionModeSetting, type CompletionStatsInfo, type ModelInfo, type NoSuggestionInfo, type SpeedForecast } from '../shared/protocol';
import type { SharedRuntimeStatus } from '../shared/sharedRuntime';
import type { ClientState } from './ClientState';
import { describeSharedModels } from './describeSharedRuntime';
import { describePlacementLine } from './models/describeModels';

/** The status bar's words for a state: one short label plus the details behind it. */
export interface StateDescription {
	readonly icon: string;
	readonly label: string;
	readonly severity: 'normal' | 'warning' | 'error';
	/** Markdown lines for the tooltip and the details picker. */
	readonly details: readonly string[];
}

/** What the tooltip mentions beyond the runtime state: settings, and why the latest request got no suggestion. */
export interface DescribeStateExtras {
	/** `bora.chat.mmprojPath`: the vision projector paired with the chat model. */
	readonly mmprojPath?: string;
	/** `bora.completion.mode`. Defaults to `auto`. */
	readonly completionMode?: CompletionModeSetting;
	/** Why the latest completion request got no suggestion (cleared by a newer suggestion); shown while completion is on. */
	readonly noSuggestion?: NoSuggestionInfo;
	/** What the shared runtime reported: each of its models with the windows that use it, added while the runtime runs. */
	readonly sharedRuntime?: SharedRuntimeStatus;
}

export function describeState(state: ClientState, completionEnabled: boolean, lastCompletion?: CompletionStatsInfo, extras: DescribeStateExtras = {}): StateDescription {
	const description = describeOwnState(state, completionEnabled, lastCompletion, extras);
	const shared = state.kind === 'runtime' ? describeSharedModels(extras.sharedRuntime).map(line => `Shared runtime: ${line}`) : [];
	return shared.length === 0 ? description : { ...description, details: [...description.details, ...shared] };
}

function describeOwnState(state: ClientState, completionEnabled: boolean, lastCompletion: CompletionStatsInfo | undefined, extras: DescribeStateExtras): StateDescription {
	switch (state.kind) {
		case 'starting':
			return { icon: 'loading~spin', label: 'Bora: starting', severity: 'normal', details: ['Starting the runtime process…'] };
		case 'stopped':
			return { icon: 'error', label: 'Bora: stopped', severity: 'error', details: [state.message] };
		case 'runtime':
			break;
		default:
			void (state satisfies never);
	}
	const runtime = state.runtime;
	switch (runtime.kind) {
		case 'idle':
			return { icon: 'circle-outline', label: 'Bora: no model', severity: 'normal', details: [runtime.reason.message, runtime.reason.action] };
		case 'loading':
			return { icon: 'loading~spin', label: `Bora: loading ${Math.round(runtime.progress * 100)}%`, severity: 'normal', details: [`Loading ${runtime.modelPath}`] };
		case 'error':
			return { icon: 'error', label: 'Bora: error', severity: 'error', details: [runtime.error.message, `**What to do:** ${runtime.error.action}`] };
		case 'ready': {
			const model = runtime.model;
			const details = [
				`**${model.name}** ready on ${runtime.backend.toUpperCase()} · ${describeThreads(runtime.threads, runtime.generationThreads)} · loaded in ${(runtime.loadMs / 1000).toFixed(1)} s`,
				...(runtime.forecast ? [describeForecast(runtime.forecast)] : []),
				...describePlacementLine(runtime),
				...modelFacts(model),
				...describeRoles(model, runtime.chatModel, extras.mmprojPath),
				...(runtime.notice ? [`**Note:** ${runtime.notice}`] : []),
			];
			if (runtime.rejected) {
				const { modelPath, error } = runtime.rejected;
				return { icon: 'warning', label: `Bora: ${model.name}`, severity: 'warning', details: [`**${modelPath} was not loaded:** ${error.message} Still using ${model.name}.`, `**What to do:** ${error.action}`, ...details] };
			}
			const setting = extras.completionMode ?? 'auto';
			const completionMode = completionModeOf(model, setting);
			if (completionMode === 'none') {
				return { icon: 'warning', label: `Bora: ${model.name}`, severity: 'warning', details: [...details, `**Inline completion unavailable:** ${unavailableReason(model, setting)}`] };
			}
			if (!completionEnabled) {
				return { icon: 'circle-slash', label: `Bora: ${model.name}`, severity: 'normal', details: [...details, 'Inline completion is turned off.'] };
			}
			const mode = describeCompletionMode(model, setting);
			const last = lastCompletion ? [`Last completion: ${completionStatsText(lastCompletion)}`] : [];
			const none = extras.noSuggestion ? [describeNoSuggestion(extras.noSuggestion)] : [];
			return { icon: 'sparkle', label: `Bora: ${model.name}`, severity: 'normal', details: [...details, mode, ...last, ...none] };
		}
		default:
			void (runtime satisfies never);
			throw new Error('unreachable');
	}
}

/** The mode in use and why: the model's FIM format, or the chat template (no FIM tokens, or chosen by the setting). */
function describeCompletionMode(model: ModelInfo, setting: CompletionModeSetting): string {
	if (completionModeOf(model, setting) === 'fim' && model.fim.supported) {
		return `Completion mode: fill-in-the-middle (${model.fim.format})${setting === 'fim' ? ' · set by bora.completion.mode' : ''}`;
	}
	return setting === 'chat' ? 'Completion mode: chat model · set by bora.completion.mode' : 'Completion mode: chat model (no FIM tokens)';
}

/** Why inline completion cannot run with this model under `bora.completion.mode`. */
export function unavailableReason(model: ModelInfo, setting: CompletionModeSetting): string {
	if (setting === 'fim' && model.hasChatTemplate) {
		return `bora.completion.mode is fim, but the model has no fill-in-the-middle tokens${model.fim.supported ? '' : ` (${model.fim.reason})`}. Set it to auto or chat.`;
	}
	if (setting === 'chat') {
		return 'bora.completion.mode is chat, but the model has no chat template. Set it to auto or fim.';
	}
	return model.fim.supported ? '' : model.fim.reason;
}

/** "No suggestion: the text after the cursor on this line is too long.": the runtime's reason, as a sentence. */
export function describeNoSuggestion({ message }: NoSuggestionInfo): string {
	const sentence = message.trim();
	return `No suggestion: ${sentence}${/[.!?]$/.test(sentence) ? '' : '.'}`;
}

/** "Speed: ≈ 350 ms per suggestion on this machine (prompt 900 tokens/s, generation 80 tokens/s)". */
export function describeForecast(forecast: SpeedForecast): string {
	return `Speed: ${forecast.summary} (prompt ${forecast.promptTokensPerSecond} tokens/s, generation ${forecast.generationTokensPerSecond} tokens/s)`;
}

/** Each role with its own model: completion, chat (the same file or a separate one) and the vision projector. */
export function describeRoles(model: ModelInfo, chatModel: ModelInfo | undefined, mmprojPath: string | undefined): string[] {
	const chat = chatModel
		? `Chat model: **${chatModel.name}** · ${formatBytes(chatModel.sizeBytes)} · loads on the first chat · \`${chatModel.path}\``
		: `Chat model: the same model${model.hasChatTemplate ? '' : ' (it has no chat template, so chat cannot use it)'}`;
	const vision = mmprojPath ? [`Vision projector: \`${mmprojPath}\`, paired with the chat model`] : [];
	return [`Completion model: **${model.name}**`, chat, ...vision];
}

function modelFacts(model: ModelInfo): string[] {
	const facts = [
		`Architecture: ${model.architecture}${model.experts ? ` (MoE, ${model.experts.used} of ${model.experts.count} experts active)` : ''}`,
		`Size: ${formatBytes(model.sizeBytes)} · trained context: ${model.trainContextSize.toLocaleString('en-US')} tokens`,
		`Chat template: ${model.hasChatTemplate ? 'yes' : 'no'} · fill-in-the-middle: ${model.fim.supported ? model.fim.format : 'no'}`,
		`File: ${model.path}`,
	];
	return facts;
}

function describeThreads(threads: number, generationThreads: number | undefined): string {
	return generationThreads === undefined || generationThreads === threads ? `${threads} threads` : `${threads} threads (${generationThreads} while generating)`;
}
