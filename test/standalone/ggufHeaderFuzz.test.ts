import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { checkGgufHeaderIn, RuntimeError, type GgufHeaderFacts } from '../../src/runtime';
import { ensureFixtureModel } from '../models/fixtures';
import { header, memory } from '../models/hostileGguf';
import { mulberry32 } from '../models/mulberry32';
import { ensureVisionFixture } from '../models/vision/visionFixtures';

const expectedCodes = new Set(['invalidModel', 'truncatedModel', 'unsupportedModel']);

/**
 * Feeds the checker bytes and insists on one of two outcomes: facts consistent with the bytes, or
 * a RuntimeError with one of the header codes and a message free of JavaScript's own words.
 * Anything else (a RangeError from a Buffer read, a TypeError) fails the case.
 */
async function outcome(bytes: Uint8Array, chunkBytes: number, what: string): Promise<GgufHeaderFacts | RuntimeError> {
	try {
		const facts = await checkGgufHeaderIn(memory(bytes), { name: 'f.gguf', chunkBytes });
		assert.ok(facts.headerBytes <= bytes.length, `${what}: the header ends inside the file`);
		assert.ok(facts.tensorCount * 24 + facts.metadataCount * 14 <= bytes.length, `${what}: the counts fit`);
		return facts;
	} catch (error) {
		assert.ok(error instanceof RuntimeError, `${what}: threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
		assert.ok(expectedCodes.has(error.code), `${what}: code ${error.code}`);
		assert.doesNotMatch(error.message, /undefined|NaN|Infinity|of null|is not a function|is not iterable|Cannot read/, `${what}: ${error.message}`);
		assert.ok(error.message.startsWith('f.gguf '), `${what}: names the file: ${error.message}`);
		return error;
	}
}

describe('checkGgufHeader fuzzing: random, truncated and mutated headers only ever give facts or a RuntimeError', function () {
	// Bounded work; the limit is for a machine shared with other test runs, not a speed claim.
	this.timeout(120_000);
	const random = mulberry32(0x6a5d_1e40);
	const below = (limit: number) => Math.floor(random() * limit);
	const chunk = () => [1, 3, 8, 13, 64, 4096, 65_536][below(7)]!;
	let mmproj: Buffer;
	let qwen: Buffer;

	before(async () => {
		mmproj = await readFile((await ensureVisionFixture()).mmprojPath);
		// The header and some tensor data: enough for every prefix that matters.
		qwen = (await readFile(await ensureFixtureModel('qwenFim'))).subarray(0, 6_500_000);
	});

	it('1,000 random files, half of them starting with a real GGUF header', async () => {
		for (let index = 0; index < 1000; index++) {
			const bytes = Buffer.alloc(below(300));
			for (let at = 0; at < bytes.length; at++) {
				bytes[at] = below(256);
			}
			if (index % 2 === 1 && bytes.length >= 24) {
				// Small counts half the time, so parsing gets past the header.
				header(2 + below(2), BigInt(below(4)), BigInt(below(6))).copy(bytes);
			}
			await outcome(bytes, chunk(), `random ${index}`);
		}
	});

	it('every prefix of the generated mmproj fixture\'s header, and 100 prefixes of qwenFim\'s', async () => {
		const full = await outcome(mmproj, 65_536, 'the whole mmproj');
		assert.ok(!(full instanceof RuntimeError), 'the real file passes');
		for (let length = 0; length <= full.headerBytes + 64; length++) {
			await outcome(mmproj.subarray(0, length), chunk(), `mmproj prefix ${length}`);
		}
		for (let index = 0; index < 100; index++) {
			const length = below(qwen.length);
			// Chunks of a few bytes over megabytes of vocabulary would test only patience.
			await outcome(qwen.subarray(0, length), 65_536, `qwenFim prefix ${length}`);
		}
	});

	it('1,500 mutations of the mmproj fixture: counts, lengths, types and random bytes', async () => {
		const { headerBytes } = await checkGgufHeaderIn(memory(mmproj));
		const values = [0n, 1n, 2n, 255n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
		for (let index = 0; index < 1500; index++) {
			const bytes = Buffer.from(mmproj);
			const mutation = index % 4;
			if (mutation === 0) {
				// The tensor or metadata count.
				bytes.writeBigUInt64LE(values[below(values.length)]!, 8 + 8 * below(2));
			} else if (mutation === 1) {
				// A u64 anywhere in the header: most land on lengths, counts and offsets, or split them.
				bytes.writeBigUInt64LE(values[below(values.length)]!, 24 + below(headerBytes - 32));
			} else if (mutation === 2) {
				bytes.writeUInt32LE(below(16), 24 + below(headerBytes - 28));
			} else {
				for (let flips = 1 + below(8); flips > 0; flips--) {
					bytes[below(headerBytes)] = below(256);
				}
			}
			await outcome(bytes, chunk(), `mutation ${index}`);
		}
	});
});
