import type { CompletionStatsInfo } from './protocol';

const perSecond = (tokens: number, ms: number) => (ms > 0 ? `${Math.round(tokens / (ms / 1000))} tok/s` : '–');

/**
 * One line for the log and the status tooltip, in llama.vscode's terms: cached and new prompt
 * tokens, prompt and generation speed, total time, and whether the cache carried the request.
 */
export function completionStatsText(stats: CompletionStatsInfo): string {
	const fresh = stats.promptTokens - stats.cachedPromptTokens;
	return `${stats.mode === 'chat' ? 'chat model · ' : ''}${stats.cacheHit ? 'cache hit' : 'cache miss'} · prompt ${stats.cachedPromptTokens} cached + ${fresh} new in ${stats.promptMs.toFixed(0)} ms (${perSecond(fresh, stats.promptMs)})`
		+ ` · generated ${stats.generatedTokens} in ${stats.generationMs.toFixed(0)} ms (${perSecond(stats.generatedTokens, stats.generationMs)})`
		+ ` · total ${stats.totalMs.toFixed(0)} ms · stop: ${stats.stopReason}`
		+ (stats.draftTokens ? ` · draft ${stats.draftTokens.validated} confirmed, ${stats.draftTokens.refuted} refuted` : '')
		+ (stats.extraContextChunks ? ` · extra context ${stats.extraContextChunks} chunks, ${stats.extraContextTokens ?? 0} tokens` : '')
		// Rare since the context is created at load and on focus; when a request still paid for it, the log says so.
		+ (stats.contextCreateMs === undefined ? '' : ` · context created in ${stats.contextCreateMs.toFixed(0)} ms`);
}
