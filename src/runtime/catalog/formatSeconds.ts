/** A timeout in words for messages: `30000` → "30 s", `1500` → "1.5 s". */
export function formatSeconds(ms: number): string {
	return `${Number((ms / 1000).toFixed(1))} s`;
}
