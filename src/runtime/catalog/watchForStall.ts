export interface StallWatch {
	/** Stops watching; idempotent. */
	stop(): void;
}

/**
 * Calls `onStall` once when `bytes()` has not grown for `stallMs`. The downloader under
 * node-llama-cpp retries a broken transfer on its own and never reports it, and Node's `fetch`
 * waits up to 300 s for a body that stopped, so the byte count is the one signal that a download is
 * stuck. Checks a few times per `stallMs`, so it fires between `stallMs` and 1.25 × `stallMs`.
 */
export function watchForStall(bytes: () => number, stallMs: number, onStall: () => void): StallWatch {
	let last = bytes();
	let since = performance.now();
	const timer = setInterval(() => {
		const now = performance.now();
		const current = bytes();
		if (current !== last) {
			last = current;
			since = now;
		} else if (now - since >= stallMs) {
			clearInterval(timer);
			onStall();
		}
	}, Math.max(10, Math.min(1000, stallMs / 4)));
	return { stop: () => clearInterval(timer) };
}
