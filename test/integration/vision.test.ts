import assert from 'node:assert/strict';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExplainImageRequest, VisionStatusRequest, type ExplainImageParams } from '../../src/shared/protocol';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';
import { colours, encodePng, mostlyColouredPng } from '../models/vision/pngWriter';
import { ensureVisionFixture, visionAnswers } from '../models/vision/visionFixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';
import { rejectsWithResponseError } from '../support/rejectsWith';

const uri = 'file:///workspace/add.js';

describe('explain an image through a spawned runtime (llama.cpp mtmd addon)', function () {
	this.timeout(180_000);
	let server: RuntimeServerProcess;
	let dir: string;
	const explain = (params: Omit<ExplainImageParams, 'chatId'> & { chatId?: string }) =>
		server.connection.sendRequest(ExplainImageRequest.type, { chatId: 'v', ...params });

	before(async () => {
		dir = await mkdtemp(join(tmpdir(), 'bora-vision-'));
		const [fim, vision] = await Promise.all([ensureFixtureModel('mistral4Fim'), ensureVisionFixture()]);
		server = await RuntimeServerProcess.start({ args: ['--model', fim, '--chatModelPath', vision.modelPath, '--mmprojPath', vision.mmprojPath, '--threads', '2'] });
		await server.waitForState('ready');
	});
	after(async () => {
		await server?.stop();
		await rm(dir, { recursive: true, force: true });
	});

	it('reports vision as available before the first image, without loading it', async () => {
		const status = await server.connection.sendRequest(VisionStatusRequest.type);
		assert.equal(status.available, true, JSON.stringify(status));
		assert.equal(status.available && status.loaded, false);
	});

	for (const colour of ['red', 'blue', 'white'] as const) {
		it(`a mostly ${colour} screenshot answers ${JSON.stringify(visionAnswers[colour])}, streamed as chat chunks`, async () => {
			const path = join(dir, `${colour}.png`);
			await writeFile(path, mostlyColouredPng(colours[colour]));
			const chatId = `img-${colour}`;
			const result = await explain({ chatId, imagePath: path, question: 'What colour is this?' });
			assert.equal(result.answer, visionAnswers[colour]);
			assert.equal(server.chatChunksOf(chatId).map(chunk => chunk.text).join(''), visionAnswers[colour]);
			assert.ok(server.chatChunksOf(chatId).every(chunk => chunk.kind === 'answer'));
			assert.ok(result.imageTokens > 0 && result.imageTokens <= result.imageTokenBudget, `${result.imageTokens} of ${result.imageTokenBudget}`);
			assert.equal(result.imageTokenBudget, 1024);
			assert.deepEqual([result.imageWidth, result.imageHeight], [64, 64]);
			if (colour === 'white') {
				// The empty answer comes with a sentence the chat panel shows under it.
				assert.match(result.notice ?? '', /^The model wrote no answer about this image; .* Ask a more specific question, or try another image\.$/);
			} else {
				assert.equal(result.notice, undefined);
			}
		});
	}

	it('takes base64 bytes with history and no question, and downscales a large image to the token budget', async () => {
		const big = encodePng(2000, 1500, () => colours.blue);
		const result = await explain({ base64: big.toString('base64'), mime: 'image/png', history: [{ user: 'hi', assistant: 'hello' }] });
		assert.equal(result.answer, visionAnswers.blue);
		assert.ok(result.imageTokens <= 1024 + 64, `${result.imageTokens} image tokens`);
		assert.ok(result.imageTokens > 256, `${result.imageTokens} image tokens`);
	});

	it('bad input gets a clear error, no crash, and completion keeps serving', async () => {
		const red = mostlyColouredPng(colours.red);
		const cases: Array<[string, Buffer | number, RegExp]> = [
			['notes.png', Buffer.from('just some text, not a picture\n'), /not an image/],
			['truncated.png', red.subarray(0, red.length - 30), /truncated/],
			['empty.png', encodePng(0, 0, () => colours.red), /0×0/],
			['huge.png', 100 * 1024 * 1024, /100 MB/],
			['shot.webp', Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'), Buffer.alloc(64)]), /WebP/],
			['shot.tiff', Buffer.concat([Buffer.from('II*\0', 'latin1'), Buffer.alloc(64)]), /TIFF/],
			['empty-file.png', Buffer.alloc(0), /empty/],
		];
		for (const [name, content, pattern] of cases) {
			const path = join(dir, name);
			if (typeof content === 'number') {
				await writeFile(path, '');
				await truncate(path, content); // sparse: no 100 MB written
			} else {
				await writeFile(path, content);
			}
			await assert.rejects(explain({ imagePath: path }), rejectsWithResponseError('badImage', pattern), name);
		}
		await assert.rejects(explain({ imagePath: join(dir, 'missing.png') }), rejectsWithResponseError('badImage', /does not exist/));
		await assert.rejects(explain({ base64: 'bm90IGFuIGltYWdl', mime: 'image/png' }), rejectsWithResponseError('badImage', /not an image/));

		const position = await server.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
		const completion = await server.complete(uri, position);
		assert.equal(completion?.items[0]?.insertText, canonicalFim.middle);
		const again = await explain({ imagePath: join(dir, 'red.png') });
		assert.equal(again.answer, visionAnswers.red);
	});

	it('a chat model without an mmproj answers visionUnavailable with the reason; status says the same', async () => {
		await server.configure({ mmprojPath: '' });
		const status = await server.connection.sendRequest(VisionStatusRequest.type);
		assert.equal(status.available, false);
		assert.match(!status.available ? status.reason : '', /no vision projector/);
		await assert.rejects(explain({ imagePath: join(dir, 'red.png') }), rejectsWithResponseError('visionUnavailable', /no vision projector/));
		const position = await server.open('file:///workspace/b.js', `${canonicalFim.prefix}|${canonicalFim.suffix}\n`);
		assert.equal((await server.complete('file:///workspace/b.js', position))?.items[0]?.insertText, canonicalFim.middle);
	});
});
