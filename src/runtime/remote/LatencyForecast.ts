/** Completion latencies kept for the median. */
const samplesKept = 20;

/**
 * The remote engine's latency forecast: the median of the last completions' latencies, measured
 * against the server from this machine (network and queueing included), or before the first
 * completion the median of a short measurement after the probe.
 */
export class LatencyForecast {
	private readonly latencies: number[] = [];
	private measuredMs: number | undefined;

	/** Median ms per suggestion; absent until measured. */
	get ms(): number | undefined {
		if (this.latencies.length === 0) {
			return this.measuredMs;
		}
		const sorted = [...this.latencies].sort((a, b) => a - b);
		return Math.round(sorted[Math.floor(sorted.length / 2)]!);
	}

	/** Whether the measurement after the probe is done (or not needed: real requests already tell). */
	get measured(): boolean {
		return this.measuredMs !== undefined || this.latencies.length > 0;
	}

	record(ms: number): void {
		this.latencies.push(ms);
		if (this.latencies.length > samplesKept) {
			this.latencies.shift();
		}
	}

	/** Times `sample` three times, one after another, and keeps the median; rejects with the first failure. */
	async measure(sample: () => Promise<unknown>): Promise<void> {
		const samples: number[] = [];
		for (let i = 0; i < 3; i++) {
			const started = performance.now();
			await sample();
			samples.push(performance.now() - started);
		}
		this.measuredMs = Math.round(samples.sort((a, b) => a - b)[1]!);
	}

	/** Another server (or settings): nothing measured so far applies. */
	clear(): void {
		this.latencies.length = 0;
		this.measuredMs = undefined;
	}
}
