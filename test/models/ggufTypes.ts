/** GGUF metadata value type ids (gguf.h `gguf_type`). */
export const GgufValueTypeId = {
    u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12
} as const;

export type GgufScalarType = Exclude<keyof typeof GgufValueTypeId, 'array'>;
export type GgufScalar = number | bigint | boolean | string;

/** A metadata value that keeps its on-disk type, so copied keys round-trip exactly. */
export type GgufValue =
    | { readonly type: GgufScalarType; readonly value: GgufScalar }
    | { readonly type: 'array'; readonly itemType: GgufScalarType; readonly value: readonly GgufScalar[] };

/** Tensor element types this generator writes (ggml.h `ggml_type`). */
export const GgmlTypeId = { F32: 0, F16: 1, Q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof GgmlTypeId;

export const ggufMagic = 0x46554747; // "GGUF" read as little-endian u32
export const ggufVersion = 3;
export const ggufAlignment = 32;

export function scalarTypeFromId(id: number): GgufScalarType {
    for (const [name, value] of Object.entries(GgufValueTypeId))
        if (value === id && name !== 'array') return name as GgufScalarType;
    throw new Error(`Unknown GGUF value type id ${id}`);
}
