/** The shape of a typical inline suggestion: new prompt tokens to read and tokens to write. */
export const typicalSuggestion = { promptTokens: 512, generatedTokens: 24 } as const;

export interface SuggestionSpeeds {
	readonly promptTokensPerSecond: number;
	readonly generationTokensPerSecond: number;
}

/** Milliseconds one typical suggestion takes at these speeds. */
export function forecastSuggestionMs({ promptTokensPerSecond, generationTokensPerSecond }: SuggestionSpeeds): number {
	const ms = 1000 * (typicalSuggestion.promptTokens / promptTokensPerSecond + typicalSuggestion.generatedTokens / generationTokensPerSecond);
	return Math.round(ms);
}

/** `"≈ 350 ms per suggestion on this machine"`, rounded to two significant digits. */
export function describeSuggestionMs(ms: number): string {
	const rounded = ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1_000 ? `${(ms / 1000).toFixed(1)} s` : `${Number(ms.toPrecision(2))} ms`;
	return `≈ ${rounded} per suggestion on this machine`;
}
