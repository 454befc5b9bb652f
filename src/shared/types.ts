/*
 * Plain data that crosses the runtime boundary: settings in, model facts and errors out.
 * No behaviour lives here; `src/shared/protocol.ts` declares the messages that carry them.
 */
import type { Backend, ModelFit, SpeedForecast } from './modelTypes';
import { runtimeSettingDefaults, type RuntimeSettingValues, type Settings } from './settings';

export type { Backend } from './modelTypes';

/** GPU use requested by the user. `on` fails loudly when no GPU backend works; `auto` falls back to the CPU. */
export type GpuMode = 'auto' | 'on' | 'off';

/**
 * Everything the runtime needs from the user's settings. Sent as `initializationOptions` and again as
 * the `settings` of `workspace/didChangeConfiguration`; the standalone server builds it from its
 * command line with the same keys. Types, limits and defaults (what "absent" means) are in
 * `settingsSchema` (src/shared/settings.ts).
 */
export interface RuntimeSettings {
	/** Absolute path of the GGUF model; empty when none is configured. */
	readonly modelPath: string;
	/** Whether inline completion answers at all. */
	readonly completionEnabled: boolean;
	/** CPU threads for evaluation; 0 means "one per physical core". */
	readonly threads: number;
	readonly gpu: GpuMode;
	/** Absolute path of the GGUF model used for chat; empty or absent means "the completion model". */
	readonly chatModelPath?: string;
	/** Absolute path of the vision projector (`mmproj` GGUF) paired with the chat model; empty or absent means no vision. */
	readonly mmprojPath?: string;
	/** Tokens of KV cache for completion and chat; 0 or absent picks them automatically. */
	readonly contextSize?: number;
	/** Model layers on the GPU: -1 or absent fits them to the free memory, 0 runs on the CPU only. */
	readonly gpuLayers?: number;
	/** Absolute path of a small GGUF with the completion model's vocabulary that drafts tokens for it (speculative decoding); empty or absent: none. */
	readonly draftModelPath?: string;
	/** Routed experts kept in RAM: `auto` (the fit decides), `all`, or a count of leading layers (`"0"`: none). Absent means `auto`. */
	readonly moeCpuExperts?: string;
	/** GiB of GPU memory the fit leaves free for other programs; absent means the default. */
	readonly gpuReserveGiB?: number;
	/** `remote`: completion, chat and images go to the OpenAI-compatible server at `remoteUrl`. Absent means `local`. */
	readonly engine?: 'local' | 'remote';
	/** Base URL of the remote server (`http(s)://host:port`, with or without `/v1`); empty when none. */
	readonly remoteUrl?: string;
	/** Model name on the server for completion; empty: the server's first model. */
	readonly remoteCompletionModel?: string;
	/** Model name on the server for chat and images; empty: the completion model. */
	readonly remoteChatModel?: string;
	/** Extra headers for every remote request, each `Name: value`. Never the API key (see `RemoteApiKeyNotification`). */
	readonly remoteHeaders?: readonly string[];
	/** Remote completion prompts carry extra context; absent means on. */
	readonly remoteSendExtraContext?: boolean;
	/** FIM format for the remote completion model when `/tokenize` cannot tell; `chat` uses the chat-model completion mode. Absent means `auto`. */
	readonly remoteFimFormat?: 'auto' | Exclude<FimFormatName, 'generic'> | 'chat';
	/** Minutes a shared runtime stays up after its last client disconnects; 0 exits at once. Absent means the default. */
	readonly keepAliveMinutes?: number;
	/** Folder for Bora's own files, e.g. the speed forecasts (the extension's global storage); empty: not stored. */
	readonly storageDir?: string;
	/** Completion prompts carry extra context from other files (edited and viewed regions, imports, copied text); absent means on. */
	readonly extraContextEnabled?: boolean;
	/** Tokens the extra context may take in a completion prompt; absent means the default. */
	readonly extraContextMaxTokens?: number;
	/** Globs (relative to a workspace folder) of files never read as extra context; absent means the default, which matches secrets. */
	readonly extraContextExclude?: readonly string[];
	/** The patterns of VS Code's `files.exclude` that are on, also never read as extra context; absent means none. */
	readonly filesExclude?: readonly string[];
	/** How inline completion asks the model; absent means `auto`. See {@link CompletionModeSetting}. */
	readonly completionMode?: CompletionModeSetting;
	/** Suggestions offered at once, best first (cycled with Alt+] / Alt+[); 1 computes only the best. Absent means the default. */
	readonly completionCandidates?: number;
	/** No automatic suggestion with more non-whitespace characters than this right of the cursor on its line; absent means the default. */
	readonly maxSuffixCharsOnLine?: number;
}

/** The server's settings before the command line or a client says otherwise: the schema's defaults. */
export const defaultRuntimeSettings: Required<RuntimeSettings> = runtimeSettingDefaults;

// RuntimeSettings is written out for its documentation; these fail to compile when it and the schema part.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
true satisfies Same<Required<RuntimeSettings>, RuntimeSettingValues>;
true satisfies Same<ReasoningEffort, Settings['reasoningEffort']>;

/** The fill-in-the-middle prompt families the runtime can build. */
export type FimFormatName = 'mistral' | 'qwen' | 'starcoder' | 'deepseek' | 'codellama' | 'generic';

/** What the GGUF metadata says about the loaded model. */
export interface ModelInfo {
	readonly name: string;
	readonly path: string;
	readonly architecture: string;
	readonly sizeBytes: number;
	readonly trainContextSize: number;
	/** Present for Mixture-of-Experts models. */
	readonly experts?: { readonly count: number; readonly used: number };
	readonly hasChatTemplate: boolean;
	/** The FIM format found in the vocabulary, or why there is none. */
	readonly fim: { readonly supported: true; readonly format: FimFormatName } | { readonly supported: false; readonly reason: string };
	/** How this model's reasoning can be steered, or why it cannot. */
	readonly reasoning: ReasoningSupport;
}

/** Where a load put the routed experts of a Mixture-of-Experts model (`bora.moe.cpuExperts`). */
export interface ExpertPlacementInfo {
	/** Leading layers whose routed experts llama.cpp keeps in RAM (0: none). */
	readonly cpuExpertLayers: number;
	/** Layers of the model that have routed experts; 0 for a dense model, where the setting changes nothing. */
	readonly expertLayers: number;
	/** Layers in the model. */
	readonly totalLayers: number;
	/** One line for the Models view and the tooltip; empty when there is nothing to say. */
	readonly summary: string;
	/** Why the experts stayed with their layers although the setting asked for RAM: the load used plain layer offload. */
	readonly unavailable?: RuntimeErrorInfo;
}

/** `chat`: no FIM tokens, but a chat template, so the model is asked for the code at the cursor. */
export type CompletionMode = 'fim' | 'chat' | 'none';

/**
 * `bora.completion.mode`: `auto` uses fill-in-the-middle when the model has FIM tokens, else its chat
 * template; `fim` and `chat` force one (a model without what it needs cannot complete, and says why).
 */
export type CompletionModeSetting = 'auto' | 'fim' | 'chat';

/** The reasoning-effort levels the user picks from. */
export type ReasoningEffort = 'off' | 'low' | 'medium' | 'high';

/** Model families whose reasoning Bora knows how to steer (facts in the model-formats notes). */
export type ReasoningFamily = 'mistral4' | 'qwen3' | 'gptOss' | 'magistral';

export type ReasoningSupport =
	| { readonly supported: true; readonly family: ReasoningFamily; /** False for models that always reason (Magistral). */ readonly canTurnOff: boolean }
	| { readonly supported: false; readonly reason: string };

/** One earlier exchange of a chat, oldest first. The client owns the history and sends it every time. */
/** A finished chat answer: the engine's result and the wire result of `bora/chat`. */
export interface ChatAnswer {
	readonly answer: string;
	readonly thought: string;
	readonly thoughtTokens: number;
	/** The thought-token budget that applied; absent when unbounded. */
	readonly thoughtBudget?: number;
	/** The budget ran out: thinking was closed so the model could answer. */
	readonly budgetExhausted: boolean;
	/**
	 * A sentence to show with the answer when something did not go as asked: the effort was ignored
	 * (model without reasoning control), Off was not possible (gpt-oss, Magistral), or the model
	 * wrote no answer after thinking. Absent when there is nothing to say.
	 */
	readonly notice?: string;
}

export interface ChatTurn {
	readonly user: string;
	readonly assistant: string;
	/** The assistant's visible reasoning for that turn, when it had any. */
	readonly thought?: string;
}


/** Stable codes for failures the user can act on; `message` and `action` carry the human text. */
export type RuntimeErrorCode =
	| 'noModel'
	| 'modelNotFound'
	| 'invalidModel'
	| 'truncatedModel'
	| 'unsupportedModel'
	| 'outOfMemory'
	| 'noGpu'
	| 'backendUnavailable'
	| 'loadFailed'
	| 'noFimSupport'
	| 'noChatTemplate'
	/** The chat template broke the time or size bound of a render (a loop that runs for seconds). */
	| 'unsafeChatTemplate'
	| 'completionDisabled'
	| 'notEnoughDisk'
	| 'modelTooLarge'
	| 'downloadFailed'
	| 'downloadCancelled'
	| 'verificationFailed'
	| 'visionUnavailable'
	| 'badImage'
	/** The build of llama.cpp cannot place experts in RAM (see bora.moe.cpuExperts); the load fell back to layer offload. */
	| 'expertPlacementUnavailable'
	/** Remote engine: no connection (refused, DNS, TLS, unreachable). */
	| 'remoteUnreachable'
	/** Remote engine: 401/403, a missing or wrong API key. */
	| 'remoteUnauthorized'
	/** Remote engine: the configured model name is unknown to the server (404). */
	| 'remoteModelNotFound'
	/** Remote engine: 429 (with the server's Retry-After in the message). */
	| 'remoteRateLimited'
	/** Remote engine: 5xx, a stream that stopped mid-answer, or an answer the client cannot read. */
	| 'remoteServerError'
	/** Remote engine: no answer within the time budget. */
	| 'remoteTimeout'
	/** Remote engine: bora.engine is remote but bora.remote.url is empty or not an http(s) URL. */
	| 'remoteNotConfigured'
	| 'internal';

export interface RuntimeErrorInfo {
	readonly code: RuntimeErrorCode;
	readonly message: string;
	/** A concrete next step for the user. */
	readonly action: string;
}

/** What the runtime is doing; every change is pushed to the client. */
export type RuntimeState =
	| { readonly kind: 'idle'; readonly reason: RuntimeErrorInfo }
	| { readonly kind: 'loading'; readonly modelPath: string; /** 0..1 */ readonly progress: number }
	| {
		readonly kind: 'ready'; readonly model: ModelInfo; readonly backend: Backend; readonly threads: number; readonly loadMs: number;
		/** A newly configured model that failed its checks; the model above stayed loaded instead. */
		readonly rejected?: { readonly modelPath: string; readonly error: RuntimeErrorInfo };
		/** Something the user should know about this load, e.g. fewer GPU layers after running out of memory. */
		readonly notice?: string;
		/** The separate chat model (`chatModelPath`), described from its GGUF header; absent when chat uses `model`. */
		readonly chatModel?: ModelInfo;
		/** Threads while generating token by token (one core fewer than `threads` by default); absent from older runtimes. */
		readonly generationThreads?: number;
		/** Model layers on the GPU (0 on the CPU); absent from older runtimes. */
		readonly gpuLayers?: number;
		/** Completion context tokens: bora.contextSize, or what the header-based fit chose; absent when the engine default applies. */
		readonly contextSize?: number;
		/** The header-based fit at load time, which chose the GPU layers and context left on automatic. */
		readonly fit?: ModelFit;
		/** How fast completion is on this machine, measured shortly after the load (or reused from an earlier one); absent until then. */
		readonly forecast?: SpeedForecast;
		/**
		 * bora.engine = remote: the models run on this server (`model` and `chatModel` describe them there;
		 * `backend`, `threads` and `loadMs`, the probe's time, say nothing about this machine). Absent for local models.
		 */
		readonly remote?: { readonly url: string; readonly serverKind: 'llama-server' | 'vllm' | 'sglang' | 'openai-compatible' };
		/** Where the routed experts of a MoE model went (`bora.moe.cpuExperts`); absent for dense models left on `auto`, and from older runtimes. */
		readonly experts?: ExpertPlacementInfo;
	}
	| { readonly kind: 'error'; readonly modelPath: string; readonly error: RuntimeErrorInfo };
