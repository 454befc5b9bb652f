import type { CompletionModeSetting } from '../shared/protocol';
import { completionModeOf } from '../shared/completionMode';
import { describeExpertPlacement } from '../shared/expertPlacementText';
import type { ClientState } from './ClientState';
import type { CompletionOutcome } from './completion/completionOutcome';
import { describeNoSuggestion, unavailableReason } from './describeState';

/**
 * The status bar tooltip in Markdown lines: one line of state, then the last suggestion's latency and,
 * when the latest request got none, why. Everything else is in **Bora: Show Runtime Status**.
 */
export function statusTooltip(state: ClientState, completionEnabled: boolean, outcome: CompletionOutcome, completionMode: CompletionModeSetting = 'auto'): string[] {
	switch (state.kind) {
		case 'starting':
			return ["Starting Bora's runtime…"];
		case 'stopped':
			return [state.message];
		case 'runtime':
			break;
		default:
			void (state satisfies never);
			return [];
	}
	const runtime = state.runtime;
	switch (runtime.kind) {
		case 'idle':
			return [`No model: ${runtime.reason.message}`];
		case 'loading':
			return [`Loading ${baseName(runtime.modelPath)}: ${Math.round(runtime.progress * 100)}%`];
		case 'error':
			return [`**${baseName(runtime.modelPath)} could not be used:** ${runtime.error.message}`, `**What to do:** ${runtime.error.action}`];
		case 'ready': {
			const model = runtime.model;
			if (runtime.rejected) {
				const { modelPath, error } = runtime.rejected;
				return [`**${baseName(modelPath)} was not loaded:** ${error.message} Still using **${model.name}**.`, `**What to do:** ${error.action}`];
			}
			// A Mixture-of-Experts model: where its experts went, as the fit planned the load.
			const placement = runtime.fit?.placement ? describeExpertPlacement(runtime.fit.placement) : '';
			const ready = `**${model.name}** ready on ${runtime.backend.toUpperCase()}${placement ? ` · ${placement}` : ''}`;
			if (completionModeOf(model, completionMode) === 'none') {
				return [`${ready} · inline completion unavailable: ${unavailableReason(model, completionMode)}`];
			}
			if (!completionEnabled) {
				return [`${ready} · inline completion off`];
			}
			const latency = outcome.stats ? [`Last suggestion: ${Math.round(outcome.stats.totalMs)} ms`] : [];
			const none = outcome.noSuggestion ? [`Last request: ${lowerFirst(describeNoSuggestion(outcome.noSuggestion))}`] : [];
			return [`${ready} · inline completion on`, ...latency, ...none];
		}
		default:
			void (runtime satisfies never);
			return [];
	}
}

function baseName(path: string): string {
	return path.split(/[\\/]/).pop() || path;
}

function lowerFirst(text: string): string {
	return text.charAt(0).toLowerCase() + text.slice(1);
}
