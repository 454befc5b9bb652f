import assert from 'node:assert/strict';
import { toChatView, toTurnView, type StoredTurn } from '../../src/extension/chat/ChatHistory';
import { chatResourceRoots } from '../../src/extension/chat/chatHtml';
import {
	defaultImageQuestion, describeImageUsage, imageDisplayName, imageExtensions, imageProblem, imageSizeProblem, maxImageBytes, sniffImageType, storedImageName,
} from '../../src/extension/chat/imageFiles';
import { colours, encodePng } from '../models/vision/pngWriter';

const png = encodePng(4, 3, () => colours.red);

describe('chat images: formats, stored copies and what the panel shows', () => {
	it('tells image formats from their first bytes, not their names', () => {
		assert.deepEqual(sniffImageType(png), { ext: 'png', mime: 'image/png' });
		assert.deepEqual(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])), { ext: 'jpg', mime: 'image/jpeg' });
		assert.deepEqual(sniffImageType(Buffer.from('GIF89a\x05\x00', 'latin1')), { ext: 'gif', mime: 'image/gif' });
		assert.deepEqual(sniffImageType(Buffer.concat([Buffer.from('BM'), Buffer.alloc(40)])), { ext: 'bmp', mime: 'image/bmp' });
		assert.deepEqual(sniffImageType(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1')), { ext: 'webp', mime: 'image/webp' });
		assert.equal(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1')), undefined);
		assert.equal(sniffImageType(Buffer.from('const x = 1;\n')), undefined);
		assert.equal(sniffImageType(Buffer.alloc(0)), undefined);
	});

	it('names the stored copy by its content, so the same image is kept once', () => {
		const type = sniffImageType(png)!;
		const name = storedImageName(png, type);
		assert.match(name, /^[0-9a-f]{64}\.png$/);
		assert.equal(storedImageName(Buffer.from(png), type), name);
		assert.notEqual(storedImageName(encodePng(4, 3, () => colours.blue), type), name);
	});

	it('says clearly why bytes cannot be asked about', () => {
		assert.equal(imageProblem('shot.png', png), undefined);
		assert.match(imageProblem('notes.txt', Buffer.from('hello'))!, /^notes\.txt is not an image Bora can read\. Use a PNG, JPEG, GIF or BMP file\.$/);
		assert.match(imageProblem('empty.png', Buffer.alloc(0))!, /empty/);
		assert.match(imageSizeProblem('huge.png', 100 * 1024 * 1024)!, /^huge\.png is 100 MB; images up to 50 MB are accepted\./);
		assert.equal(imageSizeProblem('ok.png', maxImageBytes), undefined);
	});

	it('offers the picker formats the issue lists and a default question', () => {
		assert.deepEqual([...imageExtensions], ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp']);
		assert.equal(defaultImageQuestion, 'Explain this screenshot.');
		assert.equal(imageDisplayName('/home/me/shots/red.png', undefined), 'red.png');
		assert.equal(imageDisplayName('C:\\shots\\blue.bmp', undefined), 'blue.bmp');
		assert.equal(imageDisplayName('', { ext: 'png', mime: 'image/png' }), 'pasted image.png');
	});

	it('captions the thumbnail with the size and the image-token budget used', () => {
		assert.equal(describeImageUsage({ imageWidth: 64, imageHeight: 48, imageTokens: 16, imageTokenBudget: 1024 }), '64×48 · 16 / 1024 image tokens');
		assert.equal(describeImageUsage({ imageWidth: 0, imageHeight: 0, imageTokens: 0, imageTokenBudget: 0 }), undefined);
	});

	it('history turns keep the stored copy and the panel gets a loadable URI for it', () => {
		const turn: StoredTurn = {
			user: defaultImageQuestion, message: defaultImageQuestion, attachments: [], thought: '', answer: ' red', thoughtTokens: 0,
			image: { uri: 'file:///storage/images/abc.png', name: 'red.png', mime: 'image/png', detail: '64×48 · 16 / 1024 image tokens' },
		};
		const view = toTurnView(turn, uri => `https://webview/${uri.slice('file:///'.length)}`);
		assert.deepEqual(view.image, { src: 'https://webview/storage/images/abc.png', name: 'red.png', detail: '64×48 · 16 / 1024 image tokens' });
		assert.equal('message' in view, false);
		// Without a panel to load it, the thumbnail is left out rather than pointing nowhere.
		assert.equal(toTurnView(turn).image, undefined);
		const chat = toChatView({ id: 'c', title: 't', createdAt: 0, updatedAt: 0, turns: [turn] }, uri => uri);
		assert.equal(chat.turns[0]!.image?.src, 'file:///storage/images/abc.png');
	});

	it('the panel may load thumbnails only from the image store, besides its own bundle', () => {
		const join = (base: { path: string }, ...parts: string[]) => ({ path: [base.path, ...parts].join('/') });
		const roots = chatResourceRoots({ path: '/ext' } as never, join as never, { path: '/storage/images' } as never) as unknown as { path: string }[];
		assert.deepEqual(roots.map(root => root.path), ['/ext/dist/webview', '/ext/media', '/storage/images']);
	});
});
