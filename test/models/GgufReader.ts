import { open } from 'node:fs/promises';
import { ggufMagic, GgufValueTypeId, scalarTypeFromId, type GgufScalar, type GgufScalarType, type GgufValue } from './ggufTypes.js';

/**
 * Reads only the metadata of a GGUF file, keeping every value's on-disk type. node-llama-cpp's
 * `readGgufFileInfo` returns plain JS values, which loses i32 vs u32 and f32 when copying keys.
 */
export async function readGgufMetadata(path: string): Promise<Map<string, GgufValue>> {
    const handle = await open(path, 'r');
    try {
        // Vocabulary files are metadata only, so reading them whole is cheap and keeps parsing simple.
        const { size } = await handle.stat();
        const buf = Buffer.alloc(size);
        await handle.read(buf, 0, size, 0);
        return parseMetadata(buf);
    } finally {
        await handle.close();
    }
}

function parseMetadata(buf: Buffer): Map<string, GgufValue> {
    let pos = 0;
    const u32 = (): number => { const v = buf.readUInt32LE(pos); pos += 4; return v; };
    const u64 = (): number => { const v = Number(buf.readBigUInt64LE(pos)); pos += 8; return v; };
    const str = (): string => { const n = u64(); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; };
    const scalar = (type: GgufScalarType): GgufScalar => {
        const at = pos;
        switch (type) {
            case 'u8': pos += 1; return buf.readUInt8(at);
            case 'i8': pos += 1; return buf.readInt8(at);
            case 'u16': pos += 2; return buf.readUInt16LE(at);
            case 'i16': pos += 2; return buf.readInt16LE(at);
            case 'u32': pos += 4; return buf.readUInt32LE(at);
            case 'i32': pos += 4; return buf.readInt32LE(at);
            case 'f32': pos += 4; return buf.readFloatLE(at);
            case 'f64': pos += 8; return buf.readDoubleLE(at);
            case 'u64': pos += 8; return buf.readBigUInt64LE(at);
            case 'i64': pos += 8; return buf.readBigInt64LE(at);
            case 'bool': pos += 1; return buf.readUInt8(at) !== 0;
            case 'string': return str();
        }
        void (type satisfies never);
        throw new Error(`Unknown GGUF type ${String(type)}`);
    };

    if (u32() !== ggufMagic) throw new Error('Not a GGUF file');
    const version = u32();
    if (version !== 3) throw new Error(`Unsupported GGUF version ${version}`);
    u64(); // tensor count: tensor infos are not needed here
    const kvCount = u64();
    const result = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
        const key = str();
        const typeId = u32();
        if (typeId === GgufValueTypeId.array) {
            const itemType = scalarTypeFromId(u32());
            const n = u64();
            const items: GgufScalar[] = new Array<GgufScalar>(n);
            for (let j = 0; j < n; j++) items[j] = scalar(itemType);
            result.set(key, { type: 'array', itemType, value: items });
        } else {
            const type = scalarTypeFromId(typeId);
            result.set(key, { type, value: scalar(type) });
        }
    }
    return result;
}
