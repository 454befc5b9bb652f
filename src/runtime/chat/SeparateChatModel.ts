import type { ModelInfo } from '../../shared/types';
import { describeModelFile } from '../loading/describeModelFile';
import type { Logger } from '../Logger';
import type { LlamaHandle } from '../loading/createLlama';
import { failureDetail, notReadableAsGguf } from '../loading/notReadableAsGguf';
import { loadModel, type LoadedModel, type LoadModelOptions } from '../loading/loadModel';
import type { ChatEngine } from './ChatEngine';

export interface SeparateChatModelOptions {
	readonly getLlama: () => Promise<LlamaHandle>;
	/** How to load it, from the settings at the time of the load. */
	readonly loadOptions: () => Pick<LoadModelOptions, 'gpuLayers' | 'contextSize' | 'targetContextSize' | 'cpuExperts' | 'gpuReserveBytes'>;
	readonly createEngine: (model: LoadedModel) => ChatEngine;
	readonly logger: Logger;
}

/**
 * The chat model when it is a file of its own (`bora.chat.modelPath`): loaded on the first chat
 * that needs it, kept while chats use the same file, and unloaded before another one loads. Callers
 * serialise calls (the runtime's lifecycle queue), so two loads never overlap.
 */
export class SeparateChatModel {
	private loaded: { modelPath: string; model: LoadedModel; chat: ChatEngine } | undefined;

	constructor(private readonly options: SeparateChatModelOptions) { }

	get isLoaded(): boolean {
		return this.loaded !== undefined;
	}

	/** The chat engine on `modelPath`, loading that file first (and unloading another) when needed. */
	async engineFor(modelPath: string, signal: AbortSignal | undefined): Promise<ChatEngine> {
		return (await this.loadedFor(modelPath, signal)).chat;
	}

	/** The model `modelPath` and its chat engine, loading that file first (and unloading another) when needed. */
	async loadedFor(modelPath: string, signal: AbortSignal | undefined): Promise<{ readonly model: LoadedModel; readonly chat: ChatEngine }> {
		if (this.loaded?.modelPath === modelPath) {
			return this.loaded;
		}
		await this.unload();
		signal?.throwIfAborted();
		const { logger } = this.options;
		const started = performance.now();
		try {
			const model = await loadModel(await this.options.getLlama(), { modelPath, signal, ...this.options.loadOptions() });
			this.loaded = { modelPath, model, chat: this.options.createEngine(model) };
			logger.info(`Loaded chat model ${model.info.name} (${model.info.architecture}) in ${Math.round(performance.now() - started)} ms; reasoning: ${model.info.reasoning.supported ? model.info.reasoning.family : 'none'}`);
			return this.loaded;
		} catch (error) {
			signal?.throwIfAborted();
			const failure = notReadableAsGguf(error, modelPath, 'loadFailed');
			logger.error(`Loading the chat model ${modelPath} failed: ${failure.message} (${failureDetail(error)})`);
			throw failure;
		}
	}

	/**
	 * The facts of a chat model file from its header, without loading it, so the UI knows its
	 * reasoning before the first chat; `undefined` when it cannot be read (the chat reports the same
	 * problem, with its action, when it is used).
	 */
	async describe(modelPath: string): Promise<ModelInfo | undefined> {
		try {
			return await describeModelFile((await this.options.getLlama()).llama, modelPath);
		} catch (error) {
			this.options.logger.warn(`The chat model ${modelPath} cannot be described: ${error instanceof Error ? error.message : String(error)}`);
			return undefined;
		}
	}

	/** Frees the chat engine's KV cache and the model's weights. */
	async unload(): Promise<void> {
		const loaded = this.loaded;
		this.loaded = undefined;
		if (loaded) {
			await loaded.chat.dispose();
			await loaded.model.dispose();
		}
	}
}
