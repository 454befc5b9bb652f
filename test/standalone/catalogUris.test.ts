import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findCatalogEntry, modelCatalog } from '../../src/runtime';

/** What node-llama-cpp's own parser makes of a model URI (dist/utils/parseModelUri.d.ts in 3.21.1). */
type ParsedModelUri =
	| { readonly type: 'resolved'; readonly resolvedUrl: string; readonly filename: string }
	| { readonly type: 'unresolved'; readonly resolveDetails: { readonly type: 'hf'; readonly user: string; readonly model: string; readonly tag: string } };

describe('catalog URIs and facts', () => {
	let parseModelUri: (uri: string) => ParsedModelUri | null;

	before(async () => {
		// Not in the package's exports map: loaded by path, the same module readGgufFileInfo and the downloader use.
		const modulePath = join(process.cwd(), 'node_modules', 'node-llama-cpp', 'dist', 'utils', 'parseModelUri.js');
		({ parseModelUri } = await import(pathToFileURL(modulePath).href) as { parseModelUri: typeof parseModelUri });
	});

	it('the parser rejects a malformed hf: URI, so passing it means something', () => {
		assert.throws(() => parseModelUri('hf:not-a-repo'), /Invalid Hugging Face URI/);
	});

	for (const entry of modelCatalog) {
		it(`${entry.id}: every URI parses with node-llama-cpp's model URI parser`, () => {
			for (const [what, file] of [['model', entry.model], ['mmproj', entry.mmproj]] as const) {
				if (!file) {
					continue;
				}
				const parsed = parseModelUri(file.uri);
				assert.ok(parsed, `${what} ${file.uri} is a model URI`);
				if (parsed.type === 'resolved') {
					assert.match(parsed.resolvedUrl, /^https:\/\/huggingface\.co\/.+\/resolve\/main\/.+\.gguf/, file.uri);
					assert.match(parsed.filename, /\.gguf$/);
					if (what === 'model') {
						assert.ok(parsed.filename.toLowerCase().includes(entry.quantization.toLowerCase()), `${parsed.filename} is the ${entry.quantization} file`);
					} else {
						assert.match(parsed.filename, /^mmproj/);
					}
				} else {
					assert.equal(parsed.resolveDetails.type, 'hf');
					assert.equal(parsed.resolveDetails.tag, entry.quantization, `${file.uri} asks for the catalog's quantization`);
				}
			}
		});
	}

	it('completion models all have fill-in-the-middle', () => {
		const completion = modelCatalog.filter(entry => entry.role === 'completion');
		assert.ok(completion.length > 0);
		for (const entry of completion) {
			assert.equal(entry.fillInTheMiddle, true, entry.id);
		}
	});

	it('Mistral Small 4 asks for at least 80 GB and comes with a vision projector', () => {
		const entry = findCatalogEntry('mistral-small-4');
		assert.ok(entry);
		assert.ok((entry.minTotalMemoryBytes ?? 0) >= 80e9, String(entry.minTotalMemoryBytes));
		assert.ok(entry.mmproj, 'has an mmproj');
		assert.equal(entry.vision, true);
	});
});
