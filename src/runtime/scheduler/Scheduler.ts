import { abortable, sleep } from '../util/abortable';
import { Job, type JobHost, type JobOptions, type JobPhase } from './Job';
import { lanePolicies, lanes, rankOf, type Lane } from './lanes';

export interface QuietJobOptions extends JobOptions {
	/**
	 * How long no work in this lane or a higher one must have been active (or have arrived) before
	 * the job starts; work arriving during the wait starts it again.
	 */
	readonly quietMs: number;
}

/** What {@link Scheduler.jobs} says about one job. */
export interface JobSnapshot {
	readonly lane: Lane;
	readonly clientId: string | undefined;
	readonly phase: JobPhase;
}

/**
 * Decides what runs on the device: one per runtime, with the lanes of `lanes.ts`, highest first. A
 * job is entered when its work arrives, not when its turn in an engine's queue comes, so work still
 * waiting counts. On each arrival, lower jobs that the new lane stops are aborted (a lower job
 * arriving while such work is active is aborted at once); lower jobs it pauses wait at their next
 * token boundary until it ends. Among clients (windows), the focused one's `interactive` work goes
 * first (see {@link Scheduler.setFocusedClient}). Like the TypeScript
 * extension's `RequestQueue` (interactive requests go before low-priority ones, and `interruptGetErr`
 * stops the diagnostics run), but over the device rather than one request queue: each engine keeps
 * its own order, the scheduler only says who gives way.
 */
export class Scheduler {
	private readonly active = new Set<Job>();
	/** When work in each lane last arrived or ended, for the quiet time. */
	private readonly lastActivity = new Map<Lane, number>();
	private change: { promise: Promise<void>; resolve: () => void } | undefined;
	/** The client (window) with the focus: its `interactive` work goes before other clients'. */
	private focusedClient: string | undefined;
	private readonly host: JobHost = {
		pauses: job => this.pauses(job),
		nextChange: () => (this.change ??= withResolvers()).promise,
		ended: job => {
			this.active.delete(job);
			this.noteActivity(job.lane);
		},
	};

	/** The jobs entered and not yet ended, highest lane first. */
	get jobs(): readonly JobSnapshot[] {
		return [...this.active]
			.sort((a, b) => rankOf(a.lane) - rankOf(b.lane))
			.map(job => ({ lane: job.lane, clientId: job.clientId, phase: job.phase }));
	}

	/**
	 * The client whose window has the focus, or none. While an `interactive` job of that client is
	 * active, `interactive` jobs of other clients wait at their next token boundary (the user looks
	 * at the focused window's ghost text); without a focused client, clients have equal priority.
	 */
	setFocusedClient(clientId: string | undefined): void {
		if (this.focusedClient !== clientId) {
			this.focusedClient = clientId;
			this.wake();
		}
	}

	get focused(): string | undefined {
		return this.focusedClient;
	}

	/** Registers work as it arrives; the caller must {@link Job.end} it (see {@link run}). */
	enter(options: JobOptions): Job {
		const job = new Job(this.host, options);
		for (const other of this.active) {
			if (lanePolicies[other.lane].stoppedBy.includes(job.lane)) {
				other._preempt(job);
			}
			if (lanePolicies[job.lane].stoppedBy.includes(other.lane)) {
				job._preempt(other);
			}
		}
		this.active.add(job);
		this.noteActivity(job.lane);
		return job;
	}

	/** Runs `work` as a job entered now, ending it when the work settles. */
	async run<T>(options: JobOptions, work: (job: Job) => Promise<T>): Promise<T> {
		const job = this.enter(options);
		try {
			return await work(job);
		} finally {
			job.end();
		}
	}

	/** Runs `work` as a job once the scheduler has been quiet for `quietMs` (see {@link whenQuiet}). */
	async runWhenQuiet<T>(options: QuietJobOptions, work: (job: Job) => Promise<T>): Promise<T> {
		await this.whenQuiet(options.lane, options.quietMs, options.signal);
		return this.run(options, work);
	}

	/**
	 * Resolves once no job in `lane` or a higher lane has been active for `quietMs`, counted from the
	 * call or from the last such job's arrival or end, whichever is later; rejects when `signal`
	 * aborts. Lower lanes do not count: a chat answer does not hold the idle prefill back.
	 */
	async whenQuiet(lane: Lane, quietMs: number, signal?: AbortSignal): Promise<void> {
		const since = performance.now();
		const cancel = signal ?? new AbortController().signal;
		for (;;) {
			cancel.throwIfAborted();
			if (this.busyAtOrAbove(lane)) {
				await abortable(this.host.nextChange(), cancel);
				continue;
			}
			const remaining = Math.max(since, this.lastActivityAtOrAbove(lane)) + quietMs - performance.now();
			if (remaining <= 0) {
				return;
			}
			// Work that arrives meanwhile is seen when the sleep ends, and the wait goes on from its end.
			await sleep(remaining, cancel);
		}
	}

	private pauses(job: Job): boolean {
		const pausedBy = lanePolicies[job.lane].pausedBy;
		const focused = this.focusedClient;
		const yieldsToFocus = job.lane === 'interactive' && focused !== undefined && job.clientId !== undefined && job.clientId !== focused;
		for (const other of this.active) {
			if (pausedBy.includes(other.lane) || (yieldsToFocus && other.lane === 'interactive' && other.clientId === focused)) {
				return true;
			}
		}
		return false;
	}

	private busyAtOrAbove(lane: Lane): boolean {
		const rank = rankOf(lane);
		for (const job of this.active) {
			if (rankOf(job.lane) <= rank) {
				return true;
			}
		}
		return false;
	}

	private lastActivityAtOrAbove(lane: Lane): number {
		return Math.max(-Infinity, ...lanes.slice(0, rankOf(lane) + 1).map(higher => this.lastActivity.get(higher) ?? -Infinity));
	}

	private noteActivity(lane: Lane): void {
		this.lastActivity.set(lane, performance.now());
		this.wake();
	}

	private wake(): void {
		const change = this.change;
		this.change = undefined;
		change?.resolve();
	}
}

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
	let resolve!: () => void;
	const promise = new Promise<void>(done => resolve = done);
	return { promise, resolve };
}

