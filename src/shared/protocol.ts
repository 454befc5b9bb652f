/*
 * The one place where Bora's wire format is declared. Both the extension (client) and the runtime
 * server import this module, so a message can never drift between the two sides.
 * It imports only the protocol package and the plain data types beside it, so the extension bundle
 * never pulls in server or model code.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

import type { ChatAnswer, ChatTurn, ReasoningEffort, RuntimeErrorInfo, RuntimeState } from './types';
import type { DownloadedModel, DownloadProgress, HardwareInfo, RecommendedModel } from './modelTypes';

export type {
	Backend, ChatTurn, CompletionMode, CompletionModeSetting, FimFormatName, GpuMode, ModelInfo, ReasoningEffort, ReasoningFamily, ReasoningSupport, RuntimeErrorCode, RuntimeErrorInfo,
	RuntimeSettings, RuntimeState,
} from './types';
export { defaultRuntimeSettings } from './types';

/** Sent by the server whenever the runtime state changes. */
export namespace RuntimeStateNotification {
	export const method = 'bora/runtimeState' as const;
	export const type = new NotificationType<RuntimeState>(method);
}

/** Asks the server for its current runtime state, e.g. after the client reconnects. */
export namespace RuntimeStateRequest {
	export const method = 'bora/getRuntimeState' as const;
	export const type = new RequestType0<RuntimeState, void>(method);
}

/**
 * Error codes carried by `ResponseError`s from Bora's handlers, outside the JSON-RPC and LSP reserved
 * ranges. The error's `data` is a {@link RuntimeErrorInfo}.
 */
export namespace BoraErrorCodes {
	/** The request cannot be served in the runtime's current state (no model, load error, no FIM tokens). */
	export const unavailable = 41001;
}

export interface ChatParams {
	/** Chosen by the client; every chunk of this answer carries it. */
	readonly chatId: string;
	/** Earlier turns, oldest first. */
	readonly history: readonly ChatTurn[];
	/** The new user message, with any context (selection, files) already written into it. */
	readonly message: string;
	readonly effort: ReasoningEffort;
}

/** The finished answer; thought and answer have streamed as chunks before it. */
export type ChatResult = ChatAnswer;

/** Streams one chat answer; its chunks arrive as {@link ChatChunkNotification}s. `$/cancelRequest` stops it at once. */
export namespace ChatRequest {
	export const method = 'bora/chat' as const;
	export const type = new RequestType<ChatParams, ChatResult, void>(method);
}

export interface ChatChunk {
	readonly chatId: string;
	/** Thought text belongs in the collapsible thinking block, answer text in the message. */
	readonly kind: 'thought' | 'answer';
	readonly text: string;
	/** Thought tokens so far, for the "Thinking · 312 / 2048 tokens" meter. */
	readonly thoughtTokens: number;
	readonly thoughtBudget?: number;
}

export namespace ChatChunkNotification {
	export const method = 'bora/chatChunk' as const;
	export const type = new NotificationType<ChatChunk>(method);
}

// ---- Images: "Explain this screenshot" (bora/explainImage, bora/visionStatus) ----

export interface ExplainImageParams {
	/** Chosen by the client; the answer streams as `bora/chatChunk` notifications with this id. */
	readonly chatId: string;
	/** A file the runtime reads, or `base64` bytes with their `mime` type: exactly one of the two. */
	readonly imagePath?: string;
	readonly base64?: string;
	readonly mime?: string;
	/** Empty or absent asks the model to explain the screenshot. */
	readonly question?: string;
	/** Earlier text turns of the chat, oldest first. */
	readonly history?: readonly ChatTurn[];
}

export interface ExplainImageResult extends ChatResult {
	/** Image tokens the model saw, and the most it may see (larger images are downscaled to fit). */
	readonly imageTokens: number;
	readonly imageTokenBudget: number;
	readonly imageWidth: number;
	readonly imageHeight: number;
}

/** Answers a question about one image with the chat model and its mmproj; `$/cancelRequest` stops it. */
export namespace ExplainImageRequest {
	export const method = 'bora/explainImage' as const;
	export const type = new RequestType<ExplainImageParams, ExplainImageResult, void>(method);
}

export type VisionStatus =
	| { readonly available: true; readonly modelPath: string; readonly mmprojPath: string; readonly loaded: boolean; readonly imageTokenBudget: number }
	| { readonly available: false; readonly reason: string };

/** Whether image questions work with the current settings, and why not. */
export namespace VisionStatusRequest {
	export const method = 'bora/visionStatus' as const;
	export const type = new RequestType0<VisionStatus, void>(method);
}

// ---- Models: hardware, recommended catalog, downloads (bora/models/…) ----

export type {
	CatalogEntry, CatalogFile, DownloadedModel, DownloadProgress, FitBasis, FitLevel, FitPlacement, HardwareInfo, ModelFit, ModelRole, RecommendedModel, SpeedForecast,
} from './modelTypes';

/** What this machine has: backend, GPU names, VRAM, RAM and CPU cores. */
export namespace ModelsHardwareRequest {
	export const method = 'bora/models/hardware' as const;
	export const type = new RequestType0<HardwareInfo, void>(method);
}

export interface ModelsStorageParams {
	/** Folder the models live in (the extension's global storage); the runtime adds `models/`. */
	readonly storageDir: string;
}

/**
 * The catalog with each model's fit on this machine and its downloaded copy, if any. The fit is
 * header-based (`basis: 'header'`) for downloaded models and for those whose header was checked
 * before; the others carry the preliminary catalog estimate (`basis: 'catalog'`). Never uses the network.
 */
export namespace ModelsRecommendedRequest {
	export const method = 'bora/models/recommended' as const;
	export const type = new RequestType<ModelsStorageParams, RecommendedModel[], void>(method);
}

/** Models in the storage folder, each with its header-based `fit` on this machine. */
export namespace ModelsListRequest {
	export const method = 'bora/models/list' as const;
	export const type = new RequestType<ModelsStorageParams, DownloadedModel[], void>(method);
}

export interface ModelsDeleteParams extends ModelsStorageParams {
	readonly id: string;
}

export namespace ModelsDeleteRequest {
	export const method = 'bora/models/delete' as const;
	export const type = new RequestType<ModelsDeleteParams, void, void>(method);
}

export interface ModelsDownloadParams extends ModelsStorageParams {
	/** Chosen by the client; every progress notification of this download carries it. */
	readonly downloadId: string;
	/** A catalog id; its URIs, name, role and mmproj are used. */
	readonly catalogId?: string;
	/** Any `hf:` or `http(s):` GGUF URI instead of a catalog model; needs `id`. */
	readonly uri?: string;
	readonly id?: string;
	readonly name?: string;
	/** Download even when the header shows the model cannot fit this machine. Defaults to `false`. */
	readonly ignoreFit?: boolean;
}

/**
 * Downloads a model: first reads its header and checks the fit (unless `ignoreFit`), then checks
 * disk space, resumes, verifies. Progress arrives as {@link ModelsDownloadProgressNotification}s;
 * `$/cancelRequest` cancels and keeps the partial file for the next attempt. Fails with a
 * `RuntimeErrorInfo` (`modelTooLarge` before any of the body is fetched, `notEnoughDisk`,
 * `downloadFailed`, `verificationFailed`) in `data`.
 */
export namespace ModelsDownloadRequest {
	export const method = 'bora/models/download' as const;
	export const type = new RequestType<ModelsDownloadParams, DownloadedModel, void>(method);
}

export interface ModelsCheckFitParams extends ModelsStorageParams {
	readonly catalogId: string;
}

/**
 * "Check fit on this machine" for a catalog model: reads its remote GGUF header (network access,
 * so only on a user action), stores the estimates in the storage folder, and answers the entry
 * with its header-based fit. Fails with a `RuntimeErrorInfo` (`downloadFailed`) when unreachable.
 */
export namespace ModelsCheckFitRequest {
	export const method = 'bora/models/checkFit' as const;
	export const type = new RequestType<ModelsCheckFitParams, RecommendedModel, void>(method);
}

export interface ModelsDownloadProgress extends DownloadProgress {
	readonly downloadId: string;
}

export namespace ModelsDownloadProgressNotification {
	export const method = 'bora/models/downloadProgress' as const;
	export const type = new NotificationType<ModelsDownloadProgress>(method);
}

/** What one inline completion request cost; the status tooltip and the log show the latest. */
export interface CompletionStatsInfo {
	readonly uri: string;
	/** Zero-based line of the cursor. */
	readonly line: number;
	/** Prompt tokens in all. */
	readonly promptTokens: number;
	/** Prompt tokens whose KV state was already cached from an earlier request. */
	readonly cachedPromptTokens: number;
	readonly promptMs: number;
	readonly generatedTokens: number;
	readonly generationMs: number;
	/** From the start of the generation in the server to its end, queueing included. */
	readonly totalMs: number;
	/** At least half of the prompt came from the cache. */
	readonly cacheHit: boolean;
	readonly stopReason: string;
	/** How the suggestion was made: native fill-in-the-middle or an instruct model through its chat template. */
	readonly mode?: 'fim' | 'chat';
	/** Prompt tokens of extra context from other files (laid out first, so usually cached); 0 or absent without. */
	readonly extraContextTokens?: number;
	/** Extra context chunks in the prompt. */
	readonly extraContextChunks?: number;
	/** Characters of the document around the cursor the prompt was built from (before the token budget), bounded however long the lines. */
	readonly windowChars?: number;
	/** Ms this request waited for the completion context to be created; absent when it existed already (created at load or on focus). */
	readonly contextCreateMs?: number;
	/** Guesses of the draft model (`bora.completion.draftModelPath`) the completion model confirmed and refuted; absent without one. */
	readonly draftTokens?: { readonly validated: number; readonly refuted: number };
}

/** Sent by the server after each generation a request asked for (several requests may share one; prefetches send none). */
export namespace CompletionStatsNotification {
	export const method = 'bora/completionStats' as const;
	export const type = new NotificationType<CompletionStatsInfo>(method);
}

/**
 * Why a completion request got no suggestion, decided in one place (the runtime's `CompletionService`):
 * - `suffixOnLine`: an automatic request with more than `bora.completion.maxSuffixCharsOnLine` characters right of the cursor;
 * - `stale`: the document changed while the suggestion was computed (the editor has asked again);
 * - `repeatsSuffix`: the model only repeated the text after the cursor;
 * - `empty`: the model wrote nothing usable;
 * - `modeUnavailable`: the model cannot complete in the configured `bora.completion.mode`;
 * - `disabled`: `bora.completion.enabled` is off;
 * - `notReady`: no model is loaded (none configured, loading or failed).
 *
 * A request whose joined generation the typing contradicts is not among them: it starts a generation of its own.
 */
export type NoSuggestionReason = 'suffixOnLine' | 'stale' | 'repeatsSuffix' | 'empty' | 'modeUnavailable' | 'disabled' | 'notReady';

export interface NoSuggestionInfo {
	readonly uri: string;
	/** Zero-based line of the cursor. */
	readonly line: number;
	readonly reason: NoSuggestionReason;
	/** For the log and the status tooltip, e.g. "the text after the cursor on this line is too long". */
	readonly message: string;
}

/** Sent by the server when a request the user waited for (not a cancelled or superseded one) ends with no suggestion. */
export namespace NoSuggestionNotification {
	export const method = 'bora/noSuggestion' as const;
	export const type = new NotificationType<NoSuggestionInfo>(method);
}

// ---- Extra context for completion (bora/editorContext) ----

export interface EditorContextParams {
	/** The active editor's document; absent when no text editor is active. */
	readonly uri?: string;
	/** Zero-based lines the active editor shows, `end` exclusive. */
	readonly visibleLines?: { readonly start: number; readonly end: number };
	/** The active editor's cursor (LSP position), so the runtime evaluates the prompt there before the first keystroke. */
	readonly cursor?: { readonly line: number; readonly character: number };
	/**
	 * Text the user copied, sent only while `bora.completion.extraContext.clipboard` is on (the client
	 * reads the clipboard when it asks for a completion and sends it when it changed).
	 */
	readonly copiedText?: string;
}

/**
 * Sent by the client when the active editor, what it shows or the copied text changes: the runtime
 * adds the shown lines and the copied text to the extra context of completion prompts.
 */
export namespace EditorContextNotification {
	export const method = 'bora/editorContext' as const;
	export const type = new NotificationType<EditorContextParams>(method);
}

/*
 * Remote engine (bora.engine = remote). The API key lives in the extension's SecretStorage and
 * reaches the runtime only through this notification: never in settings, logs or error messages.
 */

export interface RemoteApiKeyParams {
	/** Sent as `Authorization: Bearer …`; null when the user cleared it. */
	readonly apiKey: string | null;
}

/** Client → server, after start-up (and after every reconnect) and whenever the user sets or clears the key. */
export namespace RemoteApiKeyNotification {
	export const method = 'bora/remote/apiKey' as const;
	export const type = new NotificationType<RemoteApiKeyParams>(method);
}

/** What the runtime learned about the server (from `/props`, `/v1/models`, `/tokenize`). */
export type RemoteServerKind = 'llama-server' | 'vllm' | 'sglang' | 'openai-compatible';

export interface RemoteModelStatus {
	readonly name: string;
	/** The context length the server reports for it; absent when it does not say. */
	readonly contextLength?: number;
	/** Completion model: the FIM format found (or set), `chat` for the chat-model mode. */
	readonly fimFormat?: string;
	/** Chat model: whether it accepts images (`/props` modalities, `/v1/models`, or one try). Absent: not known yet. */
	readonly acceptsImages?: boolean;
}

export interface RemoteEngineStatus {
	/** The configured base URL (never with credentials). */
	readonly url: string;
	readonly serverKind?: RemoteServerKind;
	readonly completionModel?: RemoteModelStatus;
	readonly chatModel?: RemoteModelStatus;
	/** Whether an API key is set (never the key). */
	readonly hasApiKey: boolean;
	/** Median completion latency measured against the server, in ms; absent until measured. */
	readonly forecastMs?: number;
	/** The last error talking to the server, until a request succeeds again. */
	readonly lastError?: RuntimeErrorInfo;
}

/** The remote engine as the runtime sees it; the Models view and status bar show it. Null in local mode. */
export namespace RemoteEngineStatusRequest {
	export const method = 'bora/remote/status' as const;
	export const type = new RequestType0<RemoteEngineStatus | null, void>(method);
}

export interface RemoteRoleCheck {
	readonly role: 'server' | 'completion' | 'chat' | 'images';
	readonly ok: boolean;
	/** One line: what worked (with its latency) or what failed and what to do. */
	readonly detail: string;
}

export interface RemoteEngineReport {
	readonly status: RemoteEngineStatus;
	readonly checks: readonly RemoteRoleCheck[];
}

/** **Bora: Test Remote Engine**: tries every role once against the configured server. */
export namespace TestRemoteEngineRequest {
	export const method = 'bora/remote/test' as const;
	export const type = new RequestType0<RemoteEngineReport, void>(method);
}
