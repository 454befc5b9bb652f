import assert from 'node:assert/strict';
import { checkDecodedSize, checkJpegScans, inspectImage, jpegScanCount, maxJpegScans, RuntimeError } from '../../src/runtime';
import { jpegWithScans } from '../support/pngBuilder';

describe('JPEG scan limit: a decoding-time bomb is refused before stb_image', () => {
	it('counts SOS segments only: not SOS bytes inside another segment, stuffed 0xFF or restart markers', () => {
		for (const scans of [0, 1, 10, 101]) assert.equal(jpegScanCount(jpegWithScans(scans)), scans);
		// A baseline header as inspectImage's test writes it: no scan at all.
		assert.equal(jpegScanCount(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0, 12, 0, 34, 3, 0, 0, 0, 0, 0xff, 0xd9])), 0);
	});

	it(`accepts ${maxJpegScans} scans and refuses one more, saying how many`, async () => {
		checkJpegScans(jpegWithScans(maxJpegScans));
		const bomb = jpegWithScans(maxJpegScans + 1);
		assert.deepEqual(inspectImage(bomb), { format: 'jpeg', width: 16, height: 16 });
		const refused = (error: unknown) => error instanceof RuntimeError && error.code === 'badImage' && /^The JPEG has 101 scans; at most 100 are accepted/.test(error.message) && /baseline JPEG/.test(error.action);
		assert.throws(() => checkJpegScans(bomb), refused);
		await assert.rejects(checkDecodedSize(bomb, inspectImage(bomb)), refused);
	});
});
