/** The value below which a share `q` (0..1) of `values` lies; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
	const sorted = [...values].sort((x, y) => x - y);
	return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The arithmetic mean; 0 for none. */
export function mean(values: readonly number[]): number {
	return values.reduce((x, y) => x + y, 0) / Math.max(1, values.length);
}
