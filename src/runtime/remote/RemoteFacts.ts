import type { ReasoningSupport } from '../../shared/types';
import type { RemoteFimPlan } from './planRemoteFim';
import type { RemoteModelFacts, RemoteServerFacts } from './probeServer';

/** Everything the probe found; asked again after a failure that may mean the server changed. */
export interface RemoteFacts {
	readonly server: RemoteServerFacts;
	readonly completion: RemoteModelFacts;
	readonly chat: RemoteModelFacts;
	readonly fim: RemoteFimPlan;
	readonly reasoning: ReasoningSupport;
	readonly probeMs: number;
}
