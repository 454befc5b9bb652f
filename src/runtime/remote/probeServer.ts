import type { RemoteServerKind } from '../../shared/protocol';
import { RuntimeError } from '../errors/RuntimeError';
import { isRecord, positive } from './jsonShape';
import type { RemoteHttp } from './RemoteHttp';

/** One model the server lists. */
export interface RemoteModelFacts {
	readonly id: string;
	/** Other names it answers to (llama-server's aliases). */
	readonly aliases: readonly string[];
	/** vLLM's and SGLang's `max_model_len`, llama-server's slot context. */
	readonly contextLength?: number;
}

/** What the server says about itself, from `/v1/models` and (llama-server) `/props`. */
export interface RemoteServerFacts {
	readonly kind: RemoteServerKind;
	readonly models: readonly RemoteModelFacts[];
	/** llama-server's `/props`; absent elsewhere. */
	readonly props?: {
		readonly contextLength?: number;
		readonly vision: boolean;
		readonly chatTemplate?: string;
	};
}

/** Budget for each probe request: the server answers these from memory. */
const probeTimeoutMs = 5000;

/**
 * Asks the server what it is: `/v1/models` (every OpenAI-compatible server) and `/props`
 * (llama-server: its context, modalities and chat template; a 404 elsewhere, which is fine).
 * Rejects with the typed error of `/v1/models`, the one request every server must answer.
 */
export async function probeServer(http: RemoteHttp, signal?: AbortSignal): Promise<RemoteServerFacts> {
	const [models, props] = await Promise.all([
		http.getJson('/models', { base: 'api', timeoutMs: probeTimeoutMs, ...(signal ? { signal } : {}) }),
		http.getJson('/props', { base: 'root', timeoutMs: probeTimeoutMs, ...(signal ? { signal } : {}) }).catch((error: unknown) => {
			// Only a server without /props answers this way; a refused or stuck one fails /v1/models too.
			if (signal?.aborted) {
				throw error;
			}
			return undefined;
		}),
	]);
	const list = modelsOf(models);
	const llamaProps = propsOf(props);
	return { kind: kindOf(models, llamaProps !== undefined), models: list, ...(llamaProps ? { props: llamaProps } : {}) };
}

/** The model a role uses: the configured name (which must be listed, except on llama-server, which serves one model whatever it is called), else the first listed. */
export function resolveModel(facts: RemoteServerFacts, configured: string, setting: string): RemoteModelFacts {
	const named = configured.trim();
	if (named === '') {
		const first = facts.models[0];
		if (!first) {
			throw new RuntimeError({ code: 'remoteModelNotFound', message: 'The remote engine lists no models (/v1/models is empty).', action: `Load a model on the server, or set ${setting}.` });
		}
		return first;
	}
	const found = facts.models.find(model => model.id === named || model.aliases.includes(named));
	if (found) {
		return found;
	}
	if (facts.kind === 'llama-server' && facts.models.length === 1) {
		return { ...facts.models[0]!, id: named };
	}
	const listed = facts.models.slice(0, 5).map(model => `"${model.id}"`).join(', ');
	throw new RuntimeError({
		code: 'remoteModelNotFound',
		message: `The remote engine has no model "${named}"; it lists ${listed || 'none'}${facts.models.length > 5 ? ', …' : ''}.`,
		action: `Set ${setting} to one of those names, or leave it empty for the first.`,
	});
}

function modelsOf(answer: unknown): RemoteModelFacts[] {
	const data = isRecord(answer) && Array.isArray(answer.data) ? answer.data : [];
	return data.filter(isRecord).filter(entry => typeof entry.id === 'string').map(entry => {
		const meta = isRecord(entry.meta) ? entry.meta : {};
		const contextLength = positive(entry.max_model_len) ?? positive(entry.context_length) ?? positive(meta.n_ctx);
		const aliases = Array.isArray(entry.aliases) ? entry.aliases.filter((alias): alias is string => typeof alias === 'string') : [];
		return { id: entry.id as string, aliases, ...(contextLength === undefined ? {} : { contextLength }) };
	});
}

function propsOf(answer: unknown): RemoteServerFacts['props'] {
	if (!isRecord(answer) || !isRecord(answer.default_generation_settings)) {
		return undefined;
	}
	const contextLength = positive(answer.default_generation_settings.n_ctx);
	const modalities = isRecord(answer.modalities) ? answer.modalities : {};
	const chatTemplate = typeof answer.chat_template === 'string' ? answer.chat_template : undefined;
	return { vision: modalities.vision === true, ...(contextLength === undefined ? {} : { contextLength }), ...(chatTemplate === undefined ? {} : { chatTemplate }) };
}

function kindOf(models: unknown, hasLlamaProps: boolean): RemoteServerKind {
	if (hasLlamaProps) {
		return 'llama-server';
	}
	const owners = isRecord(models) && Array.isArray(models.data) ? models.data.filter(isRecord).map(entry => String(entry.owned_by ?? '')) : [];
	if (owners.includes('llamacpp')) {
		return 'llama-server';
	}
	if (owners.includes('vllm')) {
		return 'vllm';
	}
	if (owners.includes('sglang')) {
		return 'sglang';
	}
	return 'openai-compatible';
}
