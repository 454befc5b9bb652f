import { deflateSync } from 'node:zlib';

/** CRC-32 (PNG's polynomial), table built once. */
const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});

function crc32(data: Buffer): number {
    let c = 0xffffffff;
    for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
}

export type Rgb = readonly [number, number, number];

/** An 8-bit RGB PNG whose pixel (x, y) is `pixel(x, y)`; written with node:zlib only. */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, no filter, no interlace
    const raw = Buffer.alloc((width * 3 + 1) * height);
    for (let y = 0; y < height; y++) {
        const row = y * (width * 3 + 1); // each row starts with filter type 0
        for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
    }
    return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))
    ]);
}

/** A "screenshot" that is mostly `colour`: a white title bar over a filled body, so it is not one flat colour. */
export function mostlyColouredPng(colour: Rgb, width = 64, height = 64): Buffer {
    return encodePng(width, height, (_x, y) => (y < height / 8 ? [255, 255, 255] : colour));
}

export const colours = { red: [220, 20, 20], blue: [20, 20, 220], white: [255, 255, 255] } as const satisfies Record<string, Rgb>;
