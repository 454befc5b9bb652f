/** A duration in words for messages: `30000` → "30 s", `1500` → "1.5 s", `22` → "22 ms". */
export function formatSeconds(ms: number): string {
	return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
