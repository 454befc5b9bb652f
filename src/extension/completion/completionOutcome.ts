import type { CompletionStatsInfo, NoSuggestionInfo } from '../../shared/protocol';

/** What the status tooltip says about the latest inline completion requests. */
export interface CompletionOutcome {
	/** The latest request that got a suggestion: what it cost. */
	readonly stats?: CompletionStatsInfo;
	/** Why the latest request got none, when it came after {@link stats}. */
	readonly noSuggestion?: NoSuggestionInfo;
}

/** One report from the runtime about a completion request. */
export type CompletionReport =
	| { readonly kind: 'stats'; readonly stats: CompletionStatsInfo }
	| { readonly kind: 'noSuggestion'; readonly info: NoSuggestionInfo };

/** Folds a report into the outcome: a suggestion's stats clear an older "no suggestion". */
export function recordCompletion(outcome: CompletionOutcome, report: CompletionReport): CompletionOutcome {
	switch (report.kind) {
		case 'stats':
			return { stats: report.stats };
		case 'noSuggestion':
			return { ...outcome, noSuggestion: report.info };
		default:
			void (report satisfies never);
			return outcome;
	}
}
