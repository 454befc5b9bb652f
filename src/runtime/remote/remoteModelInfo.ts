import type { ModelInfo, ReasoningSupport, RuntimeErrorInfo, RuntimeState } from '../../shared/types';
import type { RemoteFimPlan } from './planRemoteFim';
import type { RemoteModelFacts, RemoteServerFacts } from './probeServer';
import type { RemoteFacts } from './RemoteFacts';
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

export interface RemoteReadyInput extends RemoteFacts {
	readonly url: RemoteUrl;
	/** The last failure, shown as the state's notice until a request succeeds. */
	readonly lastError?: RuntimeErrorInfo;
	readonly forecastMs?: number;
}

/**
 * The runtime state of a reachable remote engine: ready, its models described as local ones are,
 * `remote` naming the server (so the status bar and Models view say where the models run), the
 * probe's time as the load time, and the measured latency as the forecast.
 */
export function remoteReadyState({ url, server, completion, chat, fim, reasoning, probeMs, lastError, forecastMs }: RemoteReadyInput): RuntimeState {
	const model = remoteModelInfo(url, server, completion, fim, reasoning);
	const chatModel = chat.id === completion.id ? undefined : remoteModelInfo(url, server, chat, undefined, reasoning);
	return {
		kind: 'ready', model, backend: 'cpu', threads: 0, loadMs: probeMs,
		remote: { url: url.api, serverKind: server.kind },
		...(model.trainContextSize > 0 ? { contextSize: model.trainContextSize } : {}),
		...(chatModel ? { chatModel } : {}),
		...(lastError ? { notice: `${lastError.message} ${lastError.action}` } : {}),
		...(forecastMs === undefined ? {} : {
			forecast: { promptTokensPerSecond: 0, generationTokensPerSecond: 0, msPerSuggestion: forecastMs, summary: `≈ ${forecastMs} ms per suggestion from ${url.host}`, measuredAt: new Date().toISOString() },
		}),
	};
}
