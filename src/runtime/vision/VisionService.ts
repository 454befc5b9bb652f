import { existsSync } from 'node:fs';
import type { ChatPromptInput } from '../chat/ChatEngine';
import { RuntimeError } from '../errors/RuntimeError';
import { checkGgufHeader } from '../loading/checkGgufHeader';
import type { Logger } from '../Logger';
import type { LlamaHandle } from '../loading/createLlama';
import type { LoadedModel } from '../loading/loadModel';
import type { ChatTurn, RuntimeSettings } from '../../shared/types';
import { readImageFile } from './readImageFile';
import { loadVisionAddon } from './visionAddon';
import { defaultImageQuestion, imageMarker, VisionEngine, type ExplainImageResult } from './VisionEngine';

export interface ImageQuestion {
	/** The image's bytes, or the path of an image file, read with {@link readImageFile}'s limits. */
	readonly image: Uint8Array | { readonly path: string };
	/** Defaults to {@link defaultImageQuestion}. */
	readonly question?: string;
	/** Earlier text turns of the chat, oldest first. Defaults to none. */
	readonly history?: readonly ChatTurn[];
	readonly signal?: AbortSignal;
	readonly onText?: (text: string) => void;
}

/** Whether image questions can be answered now, and why not. */
export type VisionStatus =
	| { readonly available: true; readonly modelPath: string; readonly mmprojPath: string; readonly loaded: boolean; readonly imageTokenBudget: number }
	| { readonly available: false; readonly reason: string };

export interface VisionServiceOptions {
	readonly settings: () => RuntimeSettings;
	readonly getLlama: () => Promise<LlamaHandle>;
	/**
	 * The chat model from the owner chat uses, loading it when needed (one load, which chat then
	 * uses too), and that model's prompt for `input`.
	 */
	readonly chatModel: (signal?: AbortSignal) => Promise<LoadedModel>;
	readonly renderPrompt: (input: ChatPromptInput, signal?: AbortSignal) => Promise<string>;
	readonly logger: Logger;
	/** Defaults to `120000` ms. */
	readonly idleMs?: number;
}

/**
 * The runtime's vision side: pairs the loaded chat model with `mmprojPath`, renders the prompt with
 * the chat model's own template, and keeps one {@link VisionEngine} for the current pair. The engine
 * works on the chat model's own weights; a new chat model (or projector) gets a new engine.
 */
export class VisionService {
	private engine: { key: string; engine: VisionEngine } | undefined;

	constructor(private readonly options: VisionServiceOptions) {}

	/** Cheap: checks settings and files, and whether the addon loads (only once llama.cpp is up). */
	async status(): Promise<VisionStatus> {
		try {
			const { modelPath, mmprojPath } = this.paths();
			const handle = await this.options.getLlama();
			loadVisionAddon(handle.backend);
			return { available: true, modelPath, mmprojPath, loaded: this.engine?.engine.isLoaded ?? false, imageTokenBudget: 1024 };
		} catch (error) {
			return { available: false, reason: error instanceof Error ? error.message : String(error) };
		}
	}

	async explain({ image: source, question, history = [], signal, onText }: ImageQuestion): Promise<ExplainImageResult> {
		// First: a bad file is refused before anything loads.
		const image = source instanceof Uint8Array ? source : await readImageFile(source.path, { signal });
		const { mmprojPath } = this.paths();
		const handle = await this.options.getLlama();
		const addon = loadVisionAddon(handle.backend);
		// The chat model as chat has it (loaded now if it was not): its weights are the ones images use.
		const { model } = await this.options.chatModel(signal);
		const message = `${imageMarker}\n${question?.trim() || defaultImageQuestion}`;
		const prompt = await this.options.renderPrompt({ history, message, effort: 'off' }, signal);
		// The addon hands the projector to llama.cpp as it is: its header is checked first, every time,
		// since the file may have been replaced since the last image.
		await checkGgufHeader(mmprojPath, signal ? { signal } : {});
		const key = JSON.stringify([mmprojPath, handle.threads]);
		if (this.engine?.key !== key || this.engine.engine.model !== model) {
			await this.engine?.engine.dispose();
			this.engine = { key, engine: new VisionEngine({ addon, model, mmprojPath, threads: handle.threads, idleMs: this.options.idleMs, logger: this.options.logger }) };
		}
		return this.engine.engine.explain({ image, prompt, signal, onText });
	}

	async dispose(): Promise<void> {
		const engine = this.engine;
		this.engine = undefined;
		await engine?.engine.dispose();
	}

	private paths(): { modelPath: string; mmprojPath: string } {
		const settings = this.options.settings();
		const modelPath = settings.chatModelPath || settings.modelPath;
		const mmprojPath = settings.mmprojPath ?? '';
		if (!modelPath) throw unavailable('no chat model is configured', 'Set bora.chat.modelPath or bora.modelPath.');
		if (!mmprojPath) throw unavailable('the chat model has no vision projector configured', 'Set bora.chat.mmprojPath to the mmproj GGUF made for the chat model.');
		if (!existsSync(mmprojPath)) throw unavailable(`the vision projector ${mmprojPath} does not exist`, 'Check bora.chat.mmprojPath.');
		return { modelPath, mmprojPath };
	}
}

function unavailable(reason: string, action: string): RuntimeError {
	return new RuntimeError({ code: 'visionUnavailable', message: `Image understanding is unavailable: ${reason}.`, action });
}
