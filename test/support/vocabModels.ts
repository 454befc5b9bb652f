import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from 'node-llama-cpp';
import { ensureFixtureModel, fixtureCacheDir, type FixtureName } from '../models/fixtures';
import { ensureVocabulary, type VocabularyName } from '../models/vocabularies';

let llama: Promise<Llama> | undefined;
const models = new Map<string, Promise<LlamaModel>>();

/** A tokenizer-only model from llama.cpp's own vocabulary files or from a fixture; shared per test run. */
export function vocabModel(source: { vocabulary: VocabularyName } | { fixture: FixtureName }): Promise<LlamaModel> {
	const key = 'vocabulary' in source ? `vocab:${source.vocabulary}` : `fixture:${source.fixture}`;
	let model = models.get(key);
	if (!model) {
		model = (async () => {
			llama ??= getLlama({ gpu: false, build: 'never', maxThreads: 2, logLevel: LlamaLogLevel.disabled });
			const modelPath = 'vocabulary' in source ? await ensureVocabulary(source.vocabulary, fixtureCacheDir) : await ensureFixtureModel(source.fixture);
			return (await llama).loadModel({ modelPath, vocabOnly: true });
		})();
		models.set(key, model);
	}
	return model;
}

export async function disposeVocabModels(): Promise<void> {
	await Promise.all([...models.values()].map(async model => (await model).dispose()));
	models.clear();
	await (await llama)?.dispose();
	llama = undefined;
}
