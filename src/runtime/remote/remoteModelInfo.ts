import type { ModelInfo, ReasoningSupport } from '../../shared/types';
import type { RemoteFimPlan } from './planRemoteFim';
import type { RemoteModelFacts, RemoteServerFacts } from './probeServer';
import type { RemoteUrl } from './remoteUrl';

/**
 * A remote model described in the terms of a local one, so the status bar, the Models view and the
 * effort control show it as they show a loaded GGUF: its name, where it runs (the URL, never a
 * file), its context on the server, its FIM format or why it has none, and its reasoning control.
 */
export function remoteModelInfo(url: RemoteUrl, server: RemoteServerFacts, model: RemoteModelFacts, fim: RemoteFimPlan | undefined, reasoning: ReasoningSupport): ModelInfo {
	return {
		name: model.id,
		path: `${url.api}#${model.id}`,
		architecture: server.kind,
		sizeBytes: 0,
		trainContextSize: model.contextLength ?? server.props?.contextLength ?? 0,
		hasChatTemplate: true,
		fim: fim === undefined ? { supported: false, reason: 'This model is used for chat only.' }
			: fim.kind === 'chat' ? { supported: false, reason: `No fill-in-the-middle format: ${fim.reason}; completion asks it as an instruct model.` }
				: { supported: true, format: fim.format.name },
		reasoning,
	};
}
