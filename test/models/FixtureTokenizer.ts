import { getLlama, LlamaLogLevel, type Llama, type LlamaModel, type Token } from 'node-llama-cpp';

/**
 * Tokenizes with llama.cpp itself (vocab-only loads), so the lookup chains use exactly the ids a
 * runtime will see. One instance serves a whole generation run.
 */
export class FixtureTokenizer {
    private readonly _models = new Map<string, Promise<LlamaModel>>();

    private constructor(private readonly _llama: Llama) {}

    public static async create(): Promise<FixtureTokenizer> {
        // More threads than cores makes llama.cpp crawl on small CI boxes; tokenizing needs none.
        const llama = await getLlama({
            gpu: false,
            maxThreads: 2,
            logLevel: LlamaLogLevel.error,
            progressLogs: false,
            logger: (level, message) => {
                // Vocab-only loads always report the weights they skip; that is expected, not an error.
                if (/missing tensor|failed to load model/.test(message)) return;
                if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) console.error(message);
            }
        });
        return new FixtureTokenizer(llama);
    }

    public async tokenize(vocabPath: string, text: string): Promise<number[]> {
        const model = await this._model(vocabPath);
        return model.tokenize(text, false).map(Number);
    }

    /** Tokens that `prefix + continuation` adds after the tokens of `prefix` alone. */
    public async continuation(vocabPath: string, prefix: string, continuation: string): Promise<number[]> {
        const head = await this.tokenize(vocabPath, prefix);
        const full = await this.tokenize(vocabPath, prefix + continuation);
        if (!head.every((t, i) => full[i] === t))
            throw new Error(`Tokenizing ${JSON.stringify(prefix + continuation)} re-merges the end of ${JSON.stringify(prefix)}`);
        return full.slice(head.length);
    }

    public async detokenize(vocabPath: string, tokens: readonly number[]): Promise<string> {
        const model = await this._model(vocabPath);
        return model.detokenize(tokens as Token[], false);
    }

    public async dispose(): Promise<void> {
        for (const model of this._models.values()) await (await model).dispose();
        this._models.clear();
        await this._llama.dispose();
    }

    private _model(vocabPath: string): Promise<LlamaModel> {
        let model = this._models.get(vocabPath);
        if (!model) {
            model = this._llama.loadModel({ modelPath: vocabPath, vocabOnly: true, gpuLayers: 0 });
            this._models.set(vocabPath, model);
        }
        return model;
    }
}
