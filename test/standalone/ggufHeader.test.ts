import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkGgufHeader, checkGgufHeaderIn, RuntimeError } from '../../src/runtime';
import type { RuntimeErrorCode } from '../../src/shared/types';
import { ensureFixtureModel } from '../models/fixtures';
import { GgufValueTypeId } from '../models/ggufTypes';
import { GgufWriter } from '../models/GgufWriter';
import { header, hostileArrayKey, hostileGguf, memory } from '../models/hostileGguf';

async function refused(bytes: Uint8Array, code: RuntimeErrorCode, message: string): Promise<void> {
	await assert.rejects(checkGgufHeaderIn(memory(bytes), { name: 'm.gguf' }), (error: unknown) => {
		assert.ok(error instanceof RuntimeError, `a RuntimeError, not ${String(error)}`);
		assert.equal(error.message, message);
		assert.equal(error.code, code);
		assert.ok(error.action.length > 10, 'says what to do');
		return true;
	});
}

/** A header with one metadata entry whose value bytes follow `typeAndValue`. */
function oneEntry(key: string, typeAndValue: Buffer, tensors = 0n): Buffer {
	const name = Buffer.from(key, 'utf8');
	const length = Buffer.alloc(8);
	length.writeBigUInt64LE(BigInt(name.length));
	return Buffer.concat([header(3, tensors, 1n), length, name, typeAndValue, Buffer.alloc(64)]);
}

function u32s(...values: number[]): Buffer {
	const bytes = Buffer.alloc(values.length * 4);
	values.forEach((value, index) => bytes.writeUInt32LE(value, index * 4));
	return bytes;
}

describe('checkGgufHeader: counts and lengths against the file size, exact messages', () => {
	it('2^40 tensors, 2^40 metadata entries and a 2^32-string array in 88 bytes', async () => {
		await refused(hostileGguf('tensors2e40'), 'truncatedModel', 'm.gguf has a damaged or hostile GGUF header: it claims 1,099,511,627,776 tensors in a file of 88 bytes.');
		await refused(hostileGguf('metadata2e40'), 'truncatedModel', 'm.gguf has a damaged or hostile GGUF header: it claims 1,099,511,627,776 metadata entries in a file of 88 bytes.');
		await refused(hostileGguf('stringArray2e32'), 'truncatedModel', `m.gguf has a damaged or hostile GGUF header: it claims 4,294,967,296 strings for "${hostileArrayKey}" in a file of 88 bytes.`);
	});

	it('counts that fit alone but not together', async () => {
		const bytes = Buffer.concat([header(3, 2n, 2n), Buffer.alloc(60)]);
		await refused(bytes, 'truncatedModel', 'm.gguf has a damaged or hostile GGUF header: it claims 2 tensors and 2 metadata entries in a file of 84 bytes.');
	});

	it('only the magic, a huge version, version 1, version 4, not GGUF at all', async () => {
		await refused(hostileGguf('magicOnly'), 'truncatedModel', 'm.gguf is damaged or incomplete: its GGUF header ends after 4 bytes.');
		await refused(hostileGguf('hugeVersion'), 'invalidModel', 'm.gguf has a damaged or hostile GGUF header: it claims GGUF version 4,294,967,295, and llama.cpp reads versions 2 and 3 only.');
		await refused(Buffer.concat([header(1, 0n, 0n), Buffer.alloc(8)]), 'unsupportedModel', 'm.gguf is GGUF version 1; this llama.cpp reads versions 2 and 3 only.');
		await refused(Buffer.concat([header(4, 0n, 0n), Buffer.alloc(8)]), 'unsupportedModel', 'm.gguf is GGUF version 4; this llama.cpp reads versions 2 and 3 only.');
		await refused(Buffer.from('These are my notes, not a model.\n'), 'invalidModel', 'm.gguf is not a GGUF model: the file does not start with the GGUF header.');
		await refused(Buffer.alloc(0), 'invalidModel', 'm.gguf is not a GGUF model: the file does not start with the GGUF header.');
	});

	it('lengths: a key longer than the file, a string longer than the file, an empty key', async () => {
		const hugeKey = Buffer.concat([header(3, 0n, 1n), Buffer.from([0, 0, 0, 0, 0, 1, 0, 0]), Buffer.alloc(40)]);
		await refused(hugeKey, 'truncatedModel', 'm.gguf has a damaged or hostile GGUF header: metadata entry 0 claims a key of 1,099,511,627,776 bytes (GGUF allows 65,535).');
		const longString = Buffer.alloc(12);
		longString.writeUInt32LE(GgufValueTypeId.string, 0);
		longString.writeBigUInt64LE(2n ** 33n, 4);
		await refused(oneEntry('general.name', longString), 'truncatedModel', 'm.gguf has a damaged or hostile GGUF header: it claims a string of 8,589,934,592 bytes in "general.name" in a file of 120 bytes.');
		await refused(oneEntry('', u32s(GgufValueTypeId.u8)), 'invalidModel', 'm.gguf has a damaged or hostile GGUF header: metadata entry 0 has an empty key.');
	});

	it('types: an undefined value type, an array of arrays, a bad alignment', async () => {
		await refused(oneEntry('general.name', u32s(42)), 'invalidModel', 'm.gguf has a damaged or hostile GGUF header: "general.name" has value type 42, which GGUF does not define.');
		await refused(oneEntry('general.tags', u32s(GgufValueTypeId.array, GgufValueTypeId.array, 0, 0)), 'invalidModel', 'm.gguf has a damaged or hostile GGUF header: "general.tags" is an array of arrays, which llama.cpp does not read.');
		await refused(oneEntry('general.alignment', u32s(GgufValueTypeId.u32, 48)), 'invalidModel', 'm.gguf has a damaged or hostile GGUF header: "general.alignment" is 48, not a power of two.');
	});

	it('tensor infos: too many dimensions, tensor data past the end', async () => {
		const writer = new GgufWriter().setString('general.architecture', 'llama').addTensor('t', [4], new Float32Array(4), 'F32');
		const good = writer.toBuffer();
		const dimensionsAt = good.indexOf(Buffer.from('t', 'utf8'), 24 + 8 + 'general.architecture'.length + 4 + 8 + 'llama'.length) + 1;
		const fiveDimensions = Buffer.from(good);
		fiveDimensions.writeUInt32LE(5, dimensionsAt);
		await refused(fiveDimensions, 'invalidModel', 'm.gguf has a damaged or hostile GGUF header: tensor "t" claims 5 dimensions; llama.cpp allows 4.');
		const farOffset = Buffer.from(good);
		farOffset.writeBigUInt64LE(1_000_000n, dimensionsAt + 4 + 8 + 4);
		await refused(farOffset, 'truncatedModel', `m.gguf is incomplete: it has ${good.length} bytes, but its header describes 1,000,128 or more.`);
		assert.deepEqual(await checkGgufHeaderIn(memory(good)), { version: 3, tensorCount: 1, metadataCount: 1, headerBytes: dimensionsAt + 4 + 8 + 4 + 8, fileBytes: good.length });
	});

	it('passes a generated fixture, reading it in chunks of any size', async () => {
		const path = await ensureFixtureModel('qwenFim');
		const facts = await checkGgufHeader(path);
		assert.equal(facts.version, 3);
		assert.equal(facts.tensorCount, 15);
		const bytes = await readFile(path);
		for (const chunkBytes of [1, 7, 4096, 1 << 20]) {
			assert.deepEqual(await checkGgufHeaderIn(memory(bytes), { chunkBytes }), facts);
		}
	});

	it('names the file it was given, and refuses a missing one with its own code', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'bora-gguf-'));
		try {
			const path = join(dir, 'huge.gguf');
			await writeFile(path, hostileGguf('tensors2e40'));
			await assert.rejects(checkGgufHeader(path), { message: `${path} has a damaged or hostile GGUF header: it claims 1,099,511,627,776 tensors in a file of 88 bytes.` });
			await assert.rejects(checkGgufHeader(join(dir, 'missing.gguf')), (error: unknown) => error instanceof RuntimeError && error.code === 'modelNotFound');
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});
