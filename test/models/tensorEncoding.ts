import type { GgmlTypeName } from './ggufTypes.js';

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE half from float with round-to-nearest-even, matching ggml's reference conversion. */
export function f32ToF16Bits(value: number): number {
    f32Scratch[0] = value;
    const x = u32Scratch[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
    let e = exp - 127 + 15;
    if (e >= 0x1f) return sign | 0x7c00;
    if (e <= 0) {
        if (e < -10) return sign;
        mant |= 0x800000;
        const shift = 14 - e;
        const half = 1 << (shift - 1);
        const rest = mant & ((1 << shift) - 1);
        let result = mant >>> shift;
        if (rest > half || (rest === half && (result & 1) !== 0)) result++;
        return sign | result;
    }
    const rest = mant & 0x1fff;
    let result = (e << 10) | (mant >>> 13);
    if (rest > 0x1000 || (rest === 0x1000 && (result & 1) !== 0)) result++; // may carry into the exponent, which is correct
    return sign | result;
}

export function f16BitsToF32(bits: number): number {
    const sign = bits & 0x8000 ? -1 : 1;
    const exp = (bits >>> 10) & 0x1f;
    const mant = bits & 0x3ff;
    if (exp === 0) return sign * mant * 2 ** -24;
    if (exp === 0x1f) return mant !== 0 ? NaN : sign * Infinity;
    return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const q8BlockSize = 32;
const q8BlockBytes = 2 + q8BlockSize;

/** Q8_0 needs whole blocks along the row; anything else loads only as F16. */
export function resolveTensorType(requested: GgmlTypeName, ne0: number): GgmlTypeName {
    return requested === 'Q8_0' && ne0 % q8BlockSize !== 0 ? 'F16' : requested;
}

export function encodeTensor(type: GgmlTypeName, data: Float32Array): Buffer {
    switch (type) {
        case 'F32':
            return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        case 'F16': {
            const out = Buffer.alloc(data.length * 2);
            for (let i = 0; i < data.length; i++) out.writeUInt16LE(f32ToF16Bits(data[i]!), i * 2);
            return out;
        }
        case 'Q8_0':
            return encodeQ8_0(data);
    }
    void (type satisfies never);
    throw new Error(`Unsupported tensor type ${String(type)}`);
}

function encodeQ8_0(data: Float32Array): Buffer {
    if (data.length % q8BlockSize !== 0) throw new Error('Q8_0 data length must be a multiple of 32');
    const blocks = data.length / q8BlockSize;
    const out = Buffer.alloc(blocks * q8BlockBytes);
    for (let b = 0; b < blocks; b++) {
        const base = b * q8BlockSize;
        let amax = 0;
        for (let i = 0; i < q8BlockSize; i++) amax = Math.max(amax, Math.abs(data[base + i]!));
        const d = amax / 127;
        const inv = d !== 0 ? 1 / d : 0;
        const offset = b * q8BlockBytes;
        out.writeUInt16LE(f32ToF16Bits(d), offset);
        for (let i = 0; i < q8BlockSize; i++) {
            const v = data[base + i]! * inv;
            // ggml's reference uses roundf (half away from zero); Math.round differs for negative halves
            out.writeInt8(Math.max(-127, Math.min(127, Math.sign(v) * Math.round(Math.abs(v)))), offset + 2 + i);
        }
    }
    return out;
}
