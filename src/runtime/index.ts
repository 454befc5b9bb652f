/** The runtime's public surface: the LSP server and tests import from here only. */
export { Runtime, type RuntimeOptions, type Disposable } from './Runtime';
export {
	ChatEngine, defaultChatSystemPrompt, type ChatEngineChunk, type ChatEngineOptions, type ChatEngineRequest, type ChatEngineResult, type ChatPromptInput,
} from './chat/ChatEngine';
export { toChatHistory, type ChatHistoryInput } from './chat/toChatHistory';
export { planReasoning, defaultThoughtBudgets, type PlanReasoningOptions, type ReasoningPlan, type ThoughtBudgets } from './reasoning/planReasoning';
export { PriorityGate } from './util/PriorityGate';
export {
	CompletionEngine, type CompletionEngineOptions, type CompletionRequest, type CompletionResult, type CompletionStats, type PrefillRequest,
} from './completion/CompletionEngine';
export { prefillSequence, type PrefillResult } from './completion/prefillSequence';
export { IdlePrefill, type IdlePrefillOptions } from './completion/IdlePrefill';
export {
	ExtraContextRing, estimateChunkTokens, lineSimilarity, type ExtraContextRingOptions, type LineEdit, type RingChunk, type RingChunkInput,
} from './completion/ExtraContextRing';
export { createLlama, type CreateLlamaOptions, type LlamaHandle } from './model/createLlama';
export { loadModel, type LoadedModel, type LoadModelOptions } from './model/loadModel';
export { RuntimeError } from './errors/RuntimeError';
export type { Logger } from './Logger';
export { detectFimFormat, noFimReason, type FimDetection } from './fim/detectFimFormat';
export { buildFimHead, buildFimPrompt, snippetSeparator, type FimHead, type FimHeadInput, type FimTokenizer, type FimPromptInput, type FimContextChunk } from './fim/buildFimPrompt';
export { vocabularyOf, type Vocabulary } from './fim/vocabulary';
export type { FimFormat, FimLayout } from './fim/FimFormat';
export * from './types';
export { VisionEngine, imageMarker, defaultImageQuestion, type ExplainImageRequest, type ExplainImageResult } from './vision/VisionEngine';
export type { ImageQuestion, VisionStatus } from './vision/VisionService';
export { inspectImage, imageLimits, type ImageFormat, type ImageInfo } from './vision/imageInfo';
export { findVisionAddon, loadVisionAddon, type VisionAddon } from './vision/visionAddon';
export * from './models/types';
export { modelCatalog, findCatalogEntry } from './models/catalog';
export { checkFit, fitsNow, memoryBandwidth, type CheckFitOptions } from './models/checkFit';
export { detectHardware } from './models/detectHardware';
export { estimateFit, type EstimateFitOptions, type FitEstimates, type MemoryUse } from './models/estimateFit';
export { estimatesFromTable, fitEstimatesFromInsights, readHeaderInsights, tabulateEstimates, tabulatedContextSizes, type EstimateTable } from './models/headerEstimates';
export { EstimateTableStore, estimateTableFileName } from './models/EstimateTableStore';
export { catalogFitOptions, checkCatalogFit, checkFileFit, checkRemoteFit, storedCatalogFit, type CheckFileFitOptions, type CheckRemoteFitOptions } from './models/checkModelFit';
export { downloadModel, type DownloadModelOptions } from './models/downloadModel';
export { ModelStore } from './models/ModelStore';
export { verifyDownload, type VerifyDownloadOptions } from './models/verifyDownload';
export { freeDiskBytes } from './models/freeDiskBytes';
export { formatBytes } from './models/formatBytes';
export { describeSuggestionMs, forecastSuggestionMs, typicalSuggestion } from './models/forecastSuggestion';
