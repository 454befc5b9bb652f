import { ChatWrapper, type ChatWrapperGenerateContextStateOptions, type ChatWrapperGeneratedContextState, type ChatWrapperSettings } from 'node-llama-cpp';
import { decodeLlamaValues, encodeLlamaValues, type Encoded } from './llamaTextCodec';

/** Where a guarded wrapper's renders run (the template worker). */
export interface ContextStateRenderer {
	/** Renders off the main thread; the answer arrives when the render is done or refused. */
	render(key: string, options: Encoded): Promise<Encoded>;
	/** Renders while the main thread waits, for at most the render bound. */
	renderSync(key: string, options: Encoded): Encoded;
	/** Throws the refusal once the template broke a bound, so even rendered states are no longer used. */
	throwIfUnusable(): void;
}

/** Rendered states kept for node-llama-cpp's own synchronous calls: the current turn's, and a continuation. */
const cachedStates = 4;

/**
 * The main thread's face of a chat wrapper that lives in the template worker: the same name and
 * settings, and context states rendered there. Callers {@link render} a chat history before they
 * hand it to `LlamaChat`, whose synchronous `generateContextState` then finds the state ready and
 * never waits; a history nobody rendered ahead (a context shift, or the chat with a thought closed
 * because its budget ran out) is rendered while the main thread waits, for at most the render bound.
 */
export class GuardedChatWrapper extends ChatWrapper {
	readonly wrapperName: string;
	override readonly settings: ChatWrapperSettings;
	private readonly states = new Map<string, Encoded>();

	constructor(private readonly renderer: ContextStateRenderer, private readonly key: string, wrapperName: string, settings: ChatWrapperSettings) {
		super();
		this.wrapperName = wrapperName;
		this.settings = settings;
	}

	/** Renders `options` in the worker and keeps the state for the synchronous call that follows. */
	async render(options: ChatWrapperGenerateContextStateOptions): Promise<ChatWrapperGeneratedContextState> {
		this.renderer.throwIfUnusable();
		const cacheKey = JSON.stringify(options);
		const state = this.states.get(cacheKey) ?? await this.renderer.render(this.key, encodeLlamaValues(options));
		this.remember(cacheKey, state);
		return decodeLlamaValues(state);
	}

	override generateContextState(options: ChatWrapperGenerateContextStateOptions): ChatWrapperGeneratedContextState {
		this.renderer.throwIfUnusable();
		const cacheKey = JSON.stringify(options);
		const state = this.states.get(cacheKey) ?? this.renderer.renderSync(this.key, encodeLlamaValues(options));
		this.remember(cacheKey, state);
		// Decoded afresh each time: callers may change what they get.
		return decodeLlamaValues(state);
	}

	private remember(cacheKey: string, state: Encoded): void {
		this.states.delete(cacheKey);
		this.states.set(cacheKey, state);
		for (const oldest of this.states.keys()) {
			if (this.states.size <= cachedStates) {
				break;
			}
			this.states.delete(oldest);
		}
	}
}
