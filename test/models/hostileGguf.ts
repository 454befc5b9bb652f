import type { GgufByteSource } from '../../src/runtime';
import { ggufMagic, GgufValueTypeId } from './ggufTypes.js';

/**
 * Small GGUF files whose headers lie, as an attacker (or a damaged download) would write them:
 * each claims far more than its bytes hold, so a reader that allocates from the claim stalls or
 * crashes. All are `hostileFileBytes` long except `magicOnly`.
 */
export const hostileFileBytes = 88;

export type HostileGgufName = 'tensors2e40' | 'metadata2e40' | 'stringArray2e32' | 'magicOnly' | 'hugeVersion';

export const hostileGgufNames: readonly HostileGgufName[] = ['tensors2e40', 'metadata2e40', 'stringArray2e32', 'magicOnly', 'hugeVersion'];

/** The key the huge string array claims to hold. */
export const hostileArrayKey = 'tokenizer.ggml.tokens';

export function hostileGguf(name: HostileGgufName): Buffer {
    switch (name) {
        case 'tensors2e40': return padded(header(3, 2n ** 40n, 0n));
        case 'metadata2e40': return padded(header(3, 0n, 2n ** 40n));
        case 'stringArray2e32': {
            const key = Buffer.from(hostileArrayKey, 'utf8');
            const entry = Buffer.alloc(8 + key.length + 4 + 4 + 8);
            let at = entry.writeBigUInt64LE(BigInt(key.length), 0);
            at += key.copy(entry, at);
            at = entry.writeUInt32LE(GgufValueTypeId.array, at);
            at = entry.writeUInt32LE(GgufValueTypeId.string, at);
            entry.writeBigUInt64LE(2n ** 32n, at);
            return padded(Buffer.concat([header(3, 0n, 1n), entry]));
        }
        case 'magicOnly': return header(3, 0n, 0n).subarray(0, 4);
        case 'hugeVersion': return padded(header(0xffff_ffff, 0n, 0n));
    }
    void (name satisfies never);
    throw new Error(`Unknown hostile GGUF ${String(name)}`);
}

/** The fixed GGUF header: magic, version, tensor count, metadata count. */
export function header(version: number, tensors: bigint, metadata: bigint): Buffer {
    const bytes = Buffer.alloc(24);
    bytes.writeUInt32LE(ggufMagic, 0);
    bytes.writeUInt32LE(version, 4);
    bytes.writeBigUInt64LE(tensors, 8);
    bytes.writeBigUInt64LE(metadata, 16);
    return bytes;
}

function padded(bytes: Buffer): Buffer {
    return Buffer.concat([bytes, Buffer.alloc(Math.max(0, hostileFileBytes - bytes.length))]);
}

/**
 * A copy of a model whose header is sound but names a tensor llama.cpp looks for differently
 * (`output_norm.weight` → `output_norm.weighx`, same length): every header check passes, and
 * llama.cpp's load fails on the missing tensor.
 */
export function withRenamedTensor(model: Buffer, from = 'output_norm.weight', to = 'output_norm.weighx'): Buffer {
    if (from.length !== to.length) throw new Error('The new name must have the old one\'s length');
    const at = model.indexOf(Buffer.from(from, 'utf8'));
    if (at < 0) throw new Error(`No tensor named ${from}`);
    const copy = Buffer.from(model);
    copy.write(to, at, 'utf8');
    return copy;
}

/** Bytes in memory as the header checker's source, so thousands of cases need no files. */
export function memory(bytes: Uint8Array): GgufByteSource {
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return {
        size: data.length,
        read: async (buffer, offset, length, position) => data.copy(buffer, offset, position, Math.min(data.length, position + length)),
    };
}
