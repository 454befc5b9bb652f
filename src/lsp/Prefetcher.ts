import type { CompletionResultCache } from './CompletionResultCache';
import type { CompletionState, InflightCompletions } from './InflightCompletions';

export interface PrefetcherOptions {
	readonly inflight: InflightCompletions;
	/** Where finished prefetches land (the typed-through cache); also tells what is already known. */
	readonly results: CompletionResultCache;
}

/**
 * While a suggestion is shown, computes the next one for the state after accepting it, so accepting
 * and going on is answered with no model call. It runs as an in-flight generation nobody waits
 * for: a request for that state joins it, and any other request that needs the model aborts it.
 */
export class Prefetcher {
	constructor(private readonly options: PrefetcherOptions) { }

	/** A suggestion was shown at `state`. */
	afterShown(state: CompletionState, suggestion: string): void {
		const accepted: CompletionState = { uri: state.uri, before: state.before + suggestion, after: state.after };
		if (suggestion.trim() === '' || this.options.results.lookup(accepted.uri, accepted.before, accepted.after) !== undefined) {
			return;
		}
		this.options.inflight.prefetch(accepted);
	}
}
