/** The runtime's public surface: the LSP server and tests import from here only. */
export { Runtime, type CompletionContextInfo, type LlamaSource, type RuntimeOptions } from './Runtime';
export { RuntimeHost, type OpenSessionOptions, type RuntimeHostOptions } from './host/RuntimeHost';
export { ClientSession, type ClientSessionOptions, type SessionHost } from './host/ClientSession';
export { SharedLlamas } from './host/SharedLlamas';
export { RemoteEngine, type RemoteEngineOptions } from './remote/RemoteEngine';
export type { RemoteFacts } from './remote/RemoteFacts';
export { parseRemoteHeaders, parseRemoteUrl, type RemoteUrl } from './remote/remoteUrl';
export { RemoteHttp, type RemoteCallOptions, type RemoteHttpOptions, type RemoteStreamOptions } from './remote/RemoteHttp';
export { readServerSentEvents } from './remote/readServerSentEvents';
export { httpStatusError, streamCutError, timeoutError, unreachableError, type RemoteRequestContext } from './remote/remoteErrors';
export { probeServer, resolveModel, type RemoteModelFacts, type RemoteServerFacts } from './remote/probeServer';
export { buildRemoteFimPrompt, planRemoteFim, textFimPlan, type RemoteFimPlan, type RemoteFimPrompt, type RemoteFimPromptInput } from './remote/planRemoteFim';
export { detectRemoteReasoning, planRemoteReasoning, type RemoteReasoningPlan } from './remote/remoteReasoning';
export type { Disposable } from './state/RuntimeStatus';
export {
	ChatEngine, defaultChatSystemPrompt, type ChatEngineChunk, type ChatEngineOptions, type ChatEngineRequest, type ChatEngineResult, type ChatPromptInput,
} from './chat/ChatEngine';
export { toChatHistory, type ChatHistoryInput } from './chat/toChatHistory';
export { planReasoning, defaultThoughtBudgets, type PlanReasoningOptions, type ReasoningPlan, type ThoughtBudgets } from './reasoning/planReasoning';
export { Scheduler, type JobSnapshot, type QuietJobOptions } from './scheduler/Scheduler';
export { Job, type JobOptions, type JobPhase } from './scheduler/Job';
export { lanes, lanePolicies, type Lane, type LanePolicy } from './scheduler/lanes';
export { PreemptedError, type Preemptor } from './errors/PreemptedError';
export { DisposedError } from './errors/DisposedError';
export {
	CompletionEngine, type CompletionEngineOptions, type CompletionRequest, type CompletionScheduling, type CompletionResult, type CompletionStats, type PrefillRequest,
} from './completion/CompletionEngine';
export { prefillSequence, type PrefillResult } from './completion/prefillSequence';
export {
	CompletionService, completionWindow, type CompletionOutcome, type CompletionQuery, type CompletionServiceOptions, type CompletionServiceSettings,
} from './completion/CompletionService';
export type {
	BackendCompletionRequest, BackendCompletionResult, BackendContextChunk, BackendPrefillRequest, BackendPrefillResult, CompletionAvailability, CompletionBackend, EmptyReason,
} from './completion/CompletionBackend';
export type { CompletionDocument, CompletionDocuments } from './completion/CompletionDocument';
export type { WorkspaceFolders } from './completion/extraContext/WorkspaceNames';
export type { ExtraContextServiceOptions } from './completion/extraContext/ExtraContextService';
export { lineWindow, suffixCharsOnLine, type LineWindow, type LineWindowOptions } from './completion/lineWindow';
export { IdlePrefill, type IdlePrefillOptions } from './completion/IdlePrefill';
export {
	ExtraContextRing, estimateChunkTokens, lineSimilarity, type ExtraContextRingOptions, type LineEdit, type RingChunk, type RingChunkInput,
} from './completion/ExtraContextRing';
export { createLlama, type CreateLlamaOptions, type LlamaHandle } from './loading/createLlama';
export { loadModel, type LoadedModel, type LoadModelOptions } from './loading/loadModel';
export { checkGgufHeader, checkGgufHeaderIn, supportedGgufVersions, type CheckGgufHeaderOptions, type GgufByteSource, type GgufHeaderFacts } from './loading/checkGgufHeader';
export { RuntimeError } from './errors/RuntimeError';
export type { Logger } from './Logger';
export { detectFimFormat, fimMarkerSpellings, noFimReason, type FimDetection } from './fim/detectFimFormat';
export { buildFimHead, buildFimPrompt, snippetSeparator, type FimHead, type FimHeadInput, type FimTokenizer, type FimPromptInput, type FimContextChunk } from './fim/buildFimPrompt';
export { vocabularyOf, type Vocabulary } from './fim/vocabulary';
export type { FimFormat, FimLayout } from './fim/FimFormat';
export * from '../shared/types';
export { VisionEngine, imageMarker, defaultImageQuestion, type ExplainImageRequest, type ExplainImageResult } from './vision/VisionEngine';
export type { ImageQuestion, VisionStatus } from './vision/VisionService';
export { inspectImage, imageLimits, type ImageFormat, type ImageInfo } from './vision/imageInfo';
export { checkPngInflation, pngIdatParts, pngInflateSlack, pngRawSize, readPngHeader, type CheckPngInflationOptions, type PngHeader } from './vision/pngInflateBound';
export { checkJpegScans, jpegScanCount, maxJpegScans } from './vision/jpegScanLimit';
export { checkDecodedSize, type CheckDecodedSizeOptions } from './vision/checkDecodedSize';
export { imageReadSlots, notRegularFileReason, readImageFile, type ReadImageFileOptions } from './vision/readImageFile';
export { Semaphore } from './util/Semaphore';
export { findVisionAddonDir, loadVisionAddon, type VisionAddon } from './vision/visionAddon';
export * from '../shared/modelTypes';
export { modelCatalog, findCatalogEntry } from './catalog/catalog';
export { bandwidthOf, checkFit, fitsNow, memoryBandwidth, type CheckFitOptions } from './catalog/checkFit';
export { detectHardware } from './catalog/detectHardware';
export { estimateFit, type EstimateFitOptions, type FitEstimates, type MemoryUse } from './catalog/estimateFit';
export { estimatesFromTable, fitEstimatesFromInsights, readHeaderInsights, tabulateEstimates, tabulatedContextSizes, type EstimateTable } from './catalog/headerEstimates';
export { expertLayoutOf, type ExpertLayout } from './catalog/expertLayout';
export { decideExpertPlacement, planExpertPlacement, plannedContextSize, type ExpertPlacementInput, type ExpertPlacementPlan, type PlanExpertPlacementOptions } from './loading/planExpertPlacement';
export { EstimateTableStore, estimateTableFileName } from './catalog/EstimateTableStore';
export { catalogFitOptions, checkCatalogFit, checkFileFit, checkRemoteFit, storedCatalogFit, type CheckFileFitOptions, type CheckRemoteFitOptions } from './catalog/checkModelFit';
export { downloadModel, type DownloadModelOptions } from './catalog/downloadModel';
export { describeHttpStatus, describeNetworkError } from './catalog/describeNetworkError';
export { findDownloadProblem, probeDownload, probeUrlOf, type DownloadProblem, type ProbeDownloadOptions } from './catalog/probeDownload';
export { ModelStore } from './catalog/ModelStore';
export { ModelLibrary, type DownloadOptions, type ModelDownload, type ModelLibraryOptions } from './catalog/ModelLibrary';
export { verifyDownload, type VerifyDownloadOptions } from './catalog/verifyDownload';
export { freeDiskBytes } from './catalog/freeDiskBytes';
export { formatBytes } from '../shared/formatBytes';
export { describeSuggestionMs, forecastSuggestionMs, typicalSuggestion } from './forecast/forecastSuggestion';
