import { writeFile } from 'node:fs/promises';
import { encodeTensor, resolveTensorType } from './tensorEncoding.js';
import {
    ggufAlignment, ggufMagic, ggufVersion, GgmlTypeId, GgufValueTypeId,
    type GgmlTypeName, type GgufScalar, type GgufScalarType, type GgufValue
} from './ggufTypes.js';

interface PendingTensor {
    readonly name: string;
    readonly dims: readonly number[];
    /** ggml's type id, as written in the tensor info. */
    readonly typeId: number;
    readonly byteLength: number;
    /** Absent for a tensor declared header-only (see {@link GgufWriter.declareTensor}). */
    readonly bytes?: Buffer;
}

/**
 * Minimal GGUF v3 writer. Keys and tensors are written in insertion order, so the same calls
 * always give the same bytes.
 */
export class GgufWriter {
    private readonly _kv = new Map<string, GgufValue>();
    private readonly _tensors: PendingTensor[] = [];

    public set(key: string, value: GgufValue): this {
        this._kv.set(key, value);
        return this;
    }

    public setString(key: string, value: string): this { return this.set(key, { type: 'string', value }); }
    public setU32(key: string, value: number): this { return this.set(key, { type: 'u32', value }); }
    public setF32(key: string, value: number): this { return this.set(key, { type: 'f32', value }); }
    public setBool(key: string, value: boolean): this { return this.set(key, { type: 'bool', value }); }

    /** `dims` are ggml's ne[] (fastest-varying first); `data` is in that order too. */
    public addTensor(name: string, dims: readonly number[], data: Float32Array, requestedType: GgmlTypeName): this {
        const count = dims.reduce((a, b) => a * b, 1);
        if (count !== data.length) throw new Error(`Tensor ${name}: ${data.length} values for dims [${dims.join(', ')}]`);
        if (this._tensors.some(t => t.name === name)) throw new Error(`Duplicate tensor ${name}`);
        const type = resolveTensorType(requestedType, dims[0]!);
        const bytes = encodeTensor(type, data);
        this._tensors.push({ name, dims, typeId: GgmlTypeId[type], byteLength: bytes.length, bytes });
        return this;
    }

    /**
     * A tensor in the header only, of any ggml type (`typeId`) and size: for header-based tests of
     * models far too large to write (the fit reads tensor tables, never weights). A file with such
     * tensors has no data section; {@link headerOnlyFileSize} says how large the header claims it is.
     */
    public declareTensor(name: string, dims: readonly number[], typeId: number, byteLength: number): this {
        if (this._tensors.some(t => t.name === name)) throw new Error(`Duplicate tensor ${name}`);
        this._tensors.push({ name, dims, typeId, byteLength });
        return this;
    }

    /** The header's length plus the aligned data it describes: the size to extend a header-only file to. */
    public headerOnlyFileSize(): number {
        const header = this.toBuffer().length;
        return header + this._tensors.reduce((end, tensor) => alignUp(end + tensor.byteLength), 0);
    }

    public toBuffer(): Buffer {
        const out = new ByteSink();
        out.u32(ggufMagic).u32(ggufVersion).u64(BigInt(this._tensors.length)).u64(BigInt(this._kv.size));
        for (const [key, value] of this._kv) {
            out.string(key).u32(GgufValueTypeId[value.type]);
            if (value.type === 'array') {
                out.u32(GgufValueTypeId[value.itemType]).u64(BigInt(value.value.length));
                for (const item of value.value) out.scalar(value.itemType, item);
            } else {
                out.scalar(value.type, value.value);
            }
        }
        let offset = 0;
        for (const tensor of this._tensors) {
            out.string(tensor.name).u32(tensor.dims.length);
            for (const d of tensor.dims) out.u64(BigInt(d));
            out.u32(tensor.typeId).u64(BigInt(offset));
            offset = alignUp(offset + tensor.byteLength);
        }
        out.padTo(ggufAlignment);
        for (const tensor of this._tensors) {
            // Header-only tensors have no bytes here: the file ends after the header.
            if (tensor.bytes) out.bytes(tensor.bytes).padTo(ggufAlignment);
        }
        return out.toBuffer();
    }

    public async writeFile(path: string): Promise<void> {
        await writeFile(path, this.toBuffer());
    }
}

function alignUp(n: number): number {
    return Math.ceil(n / ggufAlignment) * ggufAlignment;
}

/** Append-only little-endian byte buffer that grows by doubling. */
class ByteSink {
    private _buf = Buffer.alloc(1 << 20);
    private _len = 0;

    private _reserve(n: number): number {
        if (this._len + n > this._buf.length) {
            const next = Buffer.alloc(Math.max(this._buf.length * 2, this._len + n));
            this._buf.copy(next, 0, 0, this._len);
            this._buf = next;
        }
        const at = this._len;
        this._len += n;
        return at;
    }

    // _reserve may replace _buf, so it must run before _buf is read.
    private _write(n: number, write: (buf: Buffer, at: number) => unknown): this {
        const at = this._reserve(n);
        write(this._buf, at);
        return this;
    }

    public u32(v: number): this { return this._write(4, (b, at) => b.writeUInt32LE(v, at)); }
    public u64(v: bigint): this { return this._write(8, (b, at) => b.writeBigUInt64LE(v, at)); }

    public string(s: string): this {
        const bytes = Buffer.from(s, 'utf8');
        return this.u64(BigInt(bytes.length)).bytes(bytes);
    }

    public bytes(b: Buffer): this {
        return this._write(b.length, (buf, at) => b.copy(buf, at));
    }

    public padTo(alignment: number): this {
        this._reserve((alignment - (this._len % alignment)) % alignment); // Buffer.alloc already zeroed it
        return this;
    }

    public scalar(type: GgufScalarType, v: GgufScalar): this {
        switch (type) {
            case 'u8': return this._write(1, (b, at) => b.writeUInt8(num(v), at));
            case 'i8': return this._write(1, (b, at) => b.writeInt8(num(v), at));
            case 'u16': return this._write(2, (b, at) => b.writeUInt16LE(num(v), at));
            case 'i16': return this._write(2, (b, at) => b.writeInt16LE(num(v), at));
            case 'u32': return this._write(4, (b, at) => b.writeUInt32LE(num(v), at));
            case 'i32': return this._write(4, (b, at) => b.writeInt32LE(num(v), at));
            case 'f32': return this._write(4, (b, at) => b.writeFloatLE(num(v), at));
            case 'f64': return this._write(8, (b, at) => b.writeDoubleLE(num(v), at));
            case 'u64': return this._write(8, (b, at) => b.writeBigUInt64LE(BigInt(v), at));
            case 'i64': return this._write(8, (b, at) => b.writeBigInt64LE(BigInt(v), at));
            case 'bool': return this._write(1, (b, at) => b.writeUInt8(v === true ? 1 : 0, at));
            case 'string': return this.string(String(v));
        }
        void (type satisfies never);
        throw new Error(`Unknown GGUF type ${String(type)}`);
    }

    public toBuffer(): Buffer {
        return this._buf.subarray(0, this._len);
    }
}

function num(v: GgufScalar): number {
    if (typeof v !== 'number') throw new Error(`Expected a number, got ${typeof v}`);
    return v;
}
