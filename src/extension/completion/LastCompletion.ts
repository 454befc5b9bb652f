import * as vscode from 'vscode';
import { CompletionStatsNotification, NoSuggestionNotification, type CompletionStatsInfo } from '../../shared/protocol';
import { Disposable } from '../dispose';
import type { RuntimeClient } from '../RuntimeClient';
import { recordCompletion, type CompletionOutcome, type CompletionReport } from './completionOutcome';

/**
 * The latest inline completion outcome the runtime reported (`bora/completionStats`,
 * `bora/noSuggestion`), for the status tooltip and the trigger gate's expected latency.
 */
export class LastCompletion extends Disposable {
	private current: CompletionOutcome = {};
	private readonly changeEmitter = this._register(new vscode.EventEmitter<CompletionOutcome>());
	private readonly statsEmitter = this._register(new vscode.EventEmitter<CompletionStatsInfo>());
	readonly onDidChange = this.changeEmitter.event;
	/** Fires with what each inline completion request cost (tokens, times, cache hit). */
	readonly onDidReportStats = this.statsEmitter.event;

	constructor(runtime: RuntimeClient) {
		super();
		this._register(runtime.onNotification(CompletionStatsNotification.type, stats => {
			this.record({ kind: 'stats', stats });
			this.statsEmitter.fire(stats);
		}));
		this._register(runtime.onNotification(NoSuggestionNotification.type, info => this.record({ kind: 'noSuggestion', info })));
	}

	get outcome(): CompletionOutcome {
		return this.current;
	}

	private record(report: CompletionReport): void {
		this.current = recordCompletion(this.current, report);
		this.changeEmitter.fire(this.current);
	}
}
