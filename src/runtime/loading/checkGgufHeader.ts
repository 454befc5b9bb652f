import { open } from 'node:fs/promises';
import type { RuntimeErrorCode } from '../../shared/types';
import { RuntimeError } from '../errors/RuntimeError';

/** Where the header is read from: a file, or memory in tests. */
export interface GgufByteSource {
	/** The file's size in bytes; every count in the header is checked against it. */
	readonly size: number;
	/** Reads up to `length` bytes at file `position` into `buffer` at `offset`; resolves with how many it read. */
	read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
}

export interface CheckGgufHeaderOptions {
	/** The file as messages name it. Defaults to `the file`. */
	readonly name?: string;
	/** Bytes asked for per read; the buffer never grows past this or the longest key. Defaults to `65536`. */
	readonly chunkBytes?: number;
	readonly signal?: AbortSignal;
}

/** What a header that passed the check says about itself. */
export interface GgufHeaderFacts {
	readonly version: number;
	readonly tensorCount: number;
	readonly metadataCount: number;
	/** Bytes from the start of the file to the end of the tensor infos. */
	readonly headerBytes: number;
	readonly fileBytes: number;
}

/** The GGUF versions llama.cpp reads: it refuses version 1 ("no longer supported") and any newer than 3. */
export const supportedGgufVersions = [2, 3] as const;

// Smallest encodings (versions 2 and 3), from llama.cpp's gguf.cpp: a key is a u64 length plus at
// least one byte (empty keys are refused), a value type and a value of at least one byte; a tensor
// info is a u64 name length, a dimension count, a type and an offset.
const fixedHeaderBytes = 24;
const minMetadataBytes = 8 + 1 + 4 + 1;
const minTensorInfoBytes = 8 + 4 + 4 + 8;
/** gguf.cpp's GGUF_MAX_ARRAY_ELEMENTS. */
const maxArrayItems = 2 ** 30;
/** The GGUF spec's limit for keys. */
const maxKeyBytes = 65_535;
/** ggml's GGML_MAX_NAME, which counts the terminating zero. */
const maxTensorNameBytes = 63;
/** ggml's GGML_MAX_DIMS. */
const maxDimensions = 4;
const arrayType = 9;
const stringType = 8;
/** Bytes per value of each GGUF value type (gguf.h `gguf_type`); strings are a u64 length at least. */
const valueBytes: readonly number[] = [1, 1, 2, 2, 4, 4, 4, 1, 8, 0, 8, 8, 8];
const typeNames: readonly string[] = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];
const retry = 'Download the model again from a source you trust, or choose another model.';

/**
 * Checks a GGUF file's header before node-llama-cpp or llama.cpp reads it. Both allocate from the
 * counts and lengths in a header, so a few hostile bytes claiming 2^40 tensors can stall or crash
 * the runtime. This reads the header in bounded chunks, never allocates from a count it has not
 * checked against the bytes left in the file, and refuses what llama.cpp would refuse (version,
 * value types, arrays of arrays, dimensions) with a message naming the claim.
 * Throws a {@link RuntimeError} (`truncatedModel`, `invalidModel` or `unsupportedModel`).
 */
export async function checkGgufHeader(filePath: string, options: Omit<CheckGgufHeaderOptions, 'name'> = {}): Promise<GgufHeaderFacts> {
	const handle = await open(filePath, 'r').catch((error: NodeJS.ErrnoException) => {
		throw new RuntimeError({ code: 'modelNotFound', message: `Cannot read ${filePath}: ${error.code ?? error.message}`, action: 'Check the path and the file\'s permissions, or choose another model.' }, { cause: error });
	});
	try {
		const { size } = await handle.stat();
		return await checkGgufHeaderIn({ size, read: async (buffer, offset, length, position) => (await handle.read(buffer, offset, length, position)).bytesRead }, { ...options, name: filePath });
	} finally {
		await handle.close();
	}
}

/** {@link checkGgufHeader} on any byte source (tests feed it memory). */
export async function checkGgufHeaderIn(source: GgufByteSource, { name = 'the file', chunkBytes = 65_536, signal }: CheckGgufHeaderOptions = {}): Promise<GgufHeaderFacts> {
	const reader = new ChunkReader(source, chunkBytes, name);
	const fileBytes = source.size;
	const damaged = (claim: string, code: RuntimeErrorCode = 'invalidModel') => new RuntimeError({ code, message: `${name} has a damaged or hostile GGUF header: ${claim}.`, action: retry });
	const tooBig = (claim: string) => damaged(`it claims ${claim} in a file of ${count(fileBytes)} bytes`, 'truncatedModel');

	if (fileBytes < 4 || !(await reader.startsWithMagic())) {
		throw new RuntimeError({ code: 'invalidModel', message: `${name} is not a GGUF model: the file does not start with the GGUF header.`, action: 'Bora runs llama.cpp GGUF files (*.gguf). Choose another model.' });
	}
	if (fileBytes < fixedHeaderBytes) {
		throw new RuntimeError({ code: 'truncatedModel', message: `${name} is damaged or incomplete: its GGUF header ends after ${count(fileBytes)} bytes.`, action: retry });
	}
	await reader.ensure(fixedHeaderBytes - 4);
	const version = reader.u32();
	if (version === 1 || (version > 3 && version < 256)) {
		throw new RuntimeError({
			code: 'unsupportedModel',
			message: `${name} is GGUF version ${version}; this llama.cpp reads versions ${supportedGgufVersions.join(' and ')} only.`,
			action: version === 1 ? 'Convert the model again with a current llama.cpp, or choose another model.' : 'Update Bora for a newer llama.cpp, or choose another model.',
		});
	}
	if (version === 0 || version > 3) {
		throw damaged(`it claims GGUF version ${count(version)}, and llama.cpp reads versions ${supportedGgufVersions.join(' and ')} only`);
	}
	const tensorCount = reader.u64();
	const metadataCount = reader.u64();
	const afterHeader = BigInt(fileBytes - fixedHeaderBytes);
	if (tensorCount * BigInt(minTensorInfoBytes) > afterHeader) {
		throw tooBig(`${count(tensorCount)} tensors`);
	}
	if (metadataCount * BigInt(minMetadataBytes) > afterHeader) {
		throw tooBig(`${count(metadataCount)} metadata entries`);
	}
	if (tensorCount * BigInt(minTensorInfoBytes) + metadataCount * BigInt(minMetadataBytes) > afterHeader) {
		throw tooBig(`${count(tensorCount)} tensors and ${count(metadataCount)} metadata entries`);
	}
	const tensors = Number(tensorCount);
	const entries = Number(metadataCount);

	let alignment = 32;
	const keys = new Set<string>();
	for (let entry = 0; entry < entries; entry++) {
		signal?.throwIfAborted();
		// What must still fit after this entry: the smallest encoding of everything after it.
		const reserve = (entries - entry - 1) * minMetadataBytes + tensors * minTensorInfoBytes;
		await reader.ensure(8);
		const keyLength = reader.u64();
		if (keyLength === 0n) {
			throw damaged(`metadata entry ${entry} has an empty key`);
		}
		if (keyLength > BigInt(maxKeyBytes)) {
			throw damaged(`metadata entry ${entry} claims a key of ${count(keyLength)} bytes (GGUF allows ${count(maxKeyBytes)})`, keyLength > BigInt(reader.left) ? 'truncatedModel' : 'invalidModel');
		}
		if (Number(keyLength) + 5 + reserve > reader.left) {
			throw tooBig(`a key of ${count(keyLength)} bytes for metadata entry ${entry}`);
		}
		await reader.ensure(Number(keyLength) + 4);
		const key = reader.text(Number(keyLength));
		if (keys.has(key)) {
			throw damaged(`the metadata key "${key}" appears twice`);
		}
		keys.add(key);
		let type = reader.u32();
		let items = 1n;
		if (type === arrayType) {
			if (12 + reserve > reader.left) {
				throw tooBig(`an array for "${key}" past the end`);
			}
			await reader.ensure(12);
			type = reader.u32();
			items = reader.u64();
			if (type === arrayType) {
				throw damaged(`"${key}" is an array of arrays, which llama.cpp does not read`);
			}
		}
		const itemBytes = valueBytes[type];
		if (itemBytes === undefined) {
			throw damaged(`"${key}" has value type ${count(type)}, which GGUF does not define`);
		}
		if (items * BigInt(itemBytes) + BigInt(reserve) > BigInt(reader.left)) {
			throw tooBig(type === stringType && items > 1n ? `${count(items)} strings for "${key}"` : `${count(items)} ${typeNames[type]} values for "${key}"`);
		}
		if (items > BigInt(maxArrayItems)) {
			throw damaged(`"${key}" has ${count(items)} items; llama.cpp reads at most ${count(maxArrayItems)}`);
		}
		if (key === 'general.alignment') {
			alignment = await readAlignment(reader, type, items, damaged);
		} else if (type === stringType) {
			await skipStrings(reader, Number(items), reserve, key, tooBig, signal);
		} else {
			reader.skip(Number(items) * itemBytes);
		}
	}

	const tensorNames = new Set<string>();
	let lastDataEnd = 0n;
	for (let tensor = 0; tensor < tensors; tensor++) {
		signal?.throwIfAborted();
		const reserve = (tensors - tensor - 1) * minTensorInfoBytes;
		await reader.ensure(8);
		const nameLength = reader.u64();
		if (nameLength > BigInt(maxTensorNameBytes)) {
			throw damaged(`tensor ${tensor} claims a name of ${count(nameLength)} bytes (llama.cpp allows ${maxTensorNameBytes})`, nameLength > BigInt(reader.left) ? 'truncatedModel' : 'invalidModel');
		}
		if (Number(nameLength) + 16 + reserve > reader.left) {
			throw tooBig(`more tensor infos than fit (tensor ${tensor} of ${count(tensors)})`);
		}
		await reader.ensure(Number(nameLength) + 4);
		const tensorName = reader.text(Number(nameLength));
		if (tensorNames.has(tensorName)) {
			throw damaged(`the tensor name "${tensorName}" appears twice`);
		}
		tensorNames.add(tensorName);
		const dimensions = reader.u32();
		if (dimensions > maxDimensions) {
			throw damaged(`tensor "${tensorName}" claims ${count(dimensions)} dimensions; llama.cpp allows ${maxDimensions}`);
		}
		if (dimensions * 8 + 12 + reserve > reader.left) {
			throw tooBig(`more tensor infos than fit (tensor "${tensorName}")`);
		}
		await reader.ensure(dimensions * 8 + 12);
		let elements = 1n;
		for (let dimension = 0; dimension < dimensions; dimension++) {
			const extent = reader.i64();
			if (extent < 0n) {
				throw damaged(`tensor "${tensorName}" has a negative size`);
			}
			elements *= extent;
		}
		if (elements >= 2n ** 63n) {
			throw damaged(`tensor "${tensorName}" claims ${count(elements)} elements`);
		}
		reader.u32(); // The element type: llama.cpp and node-llama-cpp know which types they run.
		const offset = reader.u64();
		if (offset > lastDataEnd) {
			lastDataEnd = offset;
		}
	}

	const headerBytes = reader.position;
	// llama.cpp pads the tensor infos to the alignment; the tensor data starts there.
	const dataStart = BigInt(Math.ceil(headerBytes / alignment) * alignment);
	if (tensors > 0 && dataStart + lastDataEnd > BigInt(fileBytes)) {
		// Most likely an interrupted download rather than a lie: say so.
		throw new RuntimeError({
			code: 'truncatedModel',
			message: `${name} is incomplete: it has ${count(fileBytes)} bytes, but its header describes ${count(dataStart + lastDataEnd)} or more.`,
			action: `The download was probably interrupted. ${retry}`,
		});
	}
	return { version, tensorCount: tensors, metadataCount: entries, headerBytes, fileBytes };
}

/** The strings of one value: each length is checked against the bytes left before it is skipped. */
async function skipStrings(reader: ChunkReader, items: number, reserve: number, key: string, tooBig: (claim: string) => RuntimeError, signal: AbortSignal | undefined): Promise<void> {
	for (let item = 0; item < items; item++) {
		if (reader.buffered < 8) {
			signal?.throwIfAborted();
			await reader.ensure(8);
		}
		const length = reader.u64Number();
		// Every later string still needs its 8-byte length.
		if (length + (items - item - 1) * 8 + reserve > reader.left) {
			throw tooBig(`a string of ${count(length)} bytes in "${key}"`);
		}
		reader.skip(length);
	}
}

async function readAlignment(reader: ChunkReader, type: number, items: bigint, damaged: (claim: string) => RuntimeError): Promise<number> {
	if (type !== 4 || items !== 1n) {
		throw damaged('"general.alignment" is not a single u32');
	}
	await reader.ensure(4);
	const alignment = reader.u32();
	if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
		throw damaged(`"general.alignment" is ${count(alignment)}, not a power of two`);
	}
	return alignment;
}

/** `1099511627776` → `1,099,511,627,776`. */
function count(value: number | bigint): string {
	return value.toLocaleString('en-US');
}

/**
 * A window onto the file: at most `capacity` bytes in memory, refilled in chunks. Callers check a
 * length against {@link left} before asking for it, so no read is sized by an unchecked count.
 */
class ChunkReader {
	private readonly buffer: Buffer;
	/** File position of `buffer[0]`. */
	private start = 0;
	/** Valid bytes in the buffer. */
	private end = 0;
	/** Read position in the buffer. */
	private at = 0;

	constructor(private readonly source: GgufByteSource, private readonly chunkBytes: number, private readonly name: string) {
		// Room for the longest key and its type after it, whatever the chunk size.
		this.buffer = Buffer.alloc(Math.max(chunkBytes, maxKeyBytes + 16));
	}

	get position(): number {
		return this.start + this.at;
	}

	/** Bytes from the read position to the end of the file. */
	get left(): number {
		return this.source.size - this.position;
	}

	get buffered(): number {
		return this.end - this.at;
	}

	async startsWithMagic(): Promise<boolean> {
		await this.ensure(4);
		return this.text(4) === 'GGUF';
	}

	/** Makes `bytes` (at most the buffer's size, at most {@link left}) readable from the buffer. */
	async ensure(bytes: number): Promise<void> {
		if (this.end - this.at >= bytes) {
			return;
		}
		this.buffer.copy(this.buffer, 0, this.at, this.end);
		this.start += this.at;
		this.end -= this.at;
		this.at = 0;
		while (this.end < bytes) {
			const length = Math.min(this.chunkBytes, this.buffer.length - this.end, this.source.size - this.start - this.end);
			const read = length > 0 ? await this.source.read(this.buffer, this.end, length, this.start + this.end) : 0;
			if (read <= 0) {
				// The size was checked first, so the file shrank while it was read.
				throw new RuntimeError({ code: 'truncatedModel', message: `${this.name} ended while its GGUF header was read.`, action: 'Wait for the file to be written completely, then choose it again.' });
			}
			this.end += read;
		}
	}

	/** Moves past `bytes`, already checked against {@link left}, without reading them. */
	skip(bytes: number): void {
		if (this.at + bytes <= this.end) {
			this.at += bytes;
			return;
		}
		this.start = this.position + bytes;
		this.at = 0;
		this.end = 0;
	}

	u32(): number {
		const value = this.buffer.readUInt32LE(this.at);
		this.at += 4;
		return value;
	}

	u64(): bigint {
		const value = this.buffer.readBigUInt64LE(this.at);
		this.at += 8;
		return value;
	}

	/** A u64 as a number: exact below 2^53, and anything above is far past any file's end anyway. */
	u64Number(): number {
		const value = this.buffer.readUInt32LE(this.at) + this.buffer.readUInt32LE(this.at + 4) * 2 ** 32;
		this.at += 8;
		return value;
	}

	i64(): bigint {
		const value = this.buffer.readBigInt64LE(this.at);
		this.at += 8;
		return value;
	}

	text(bytes: number): string {
		const value = this.buffer.toString('utf8', this.at, this.at + bytes);
		this.at += bytes;
		return value;
	}
}
