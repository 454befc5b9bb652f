/*
 * Reading JSON from a server Bora does not control: every field is checked before it is used.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number above 0, else `undefined`. */
export function positive(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A finite number at or above 0, else `undefined`. */
export function count(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `choices[0]` of an OpenAI answer or stream event. */
export function firstChoice(event: unknown): Record<string, unknown> | undefined {
	const choices = isRecord(event) && Array.isArray(event.choices) ? event.choices : [];
	return isRecord(choices[0]) ? choices[0] : undefined;
}

/** llama-server's `timings` of an answer or stream event: prompt tokens evaluated and found cached, and the ms each part took. */
export interface ServerTimings {
	readonly promptEvaluated?: number;
	readonly cached?: number;
	readonly promptMs?: number;
	readonly predicted?: number;
	readonly predictedMs?: number;
}

export function timingsOf(event: unknown): ServerTimings | undefined {
	if (!isRecord(event) || !isRecord(event.timings)) {
		return undefined;
	}
	const { prompt_n, cache_n, prompt_ms, predicted_n, predicted_ms } = event.timings;
	return { promptEvaluated: count(prompt_n), cached: count(cache_n), promptMs: count(prompt_ms), predicted: count(predicted_n), predictedMs: count(predicted_ms) };
}
