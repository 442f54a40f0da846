import { describe, expect, it } from 'vitest';
import { BitWriter } from '../src/pixels/jpeg/bit-writer.js';
import { optimalHuffmanEncoder } from '../src/pixels/jpeg/huffman-encode.js';

// The pieces of the JPEG block blanker's entropy coder that decoders forgive or that real images
// rarely reach: padding with 1-bits, stuffing after 0xFF, and the 16-bit limit of Annex K.2.

describe('entropy-coded data writer', () => {
  it('pads the last byte with 1-bits and stuffs a zero byte after each 0xFF', () => {
    const writer = new BitWriter(4);
    writer.write(0b101, 3);
    writer.flush();
    writer.write(0xff, 8);
    writer.write(0x3, 2);
    writer.flush();
    expect([...writer.result()]).toEqual([0xbf, 0xff, 0x00, 0xff, 0x00]);
  });
});

describe('optimal Huffman tables (T.81 K.2)', () => {
  const kraft = (lengths: Uint8Array): number => [...lengths].reduce((sum, length) => sum + (length > 0 ? 2 ** -length : 0), 0);

  it('limits codes to 16 bits and leaves the all-ones code unused, even for frequencies that would need longer codes', () => {
    // Fibonacci frequencies make the unlimited Huffman tree as deep as there are symbols.
    const frequencies = new Uint32Array(256);
    let [a, b] = [1, 1];
    for (let symbol = 0; symbol < 30; symbol++) {
      frequencies[symbol] = a;
      [a, b] = [b, a + b];
    }
    const encoder = optimalHuffmanEncoder(frequencies);
    expect(Math.max(...encoder.lengths)).toBe(16);
    for (let symbol = 0; symbol < 30; symbol++) expect(encoder.lengths[symbol]).toBeGreaterThan(0);
    expect(kraft(encoder.lengths)).toBeLessThan(1);
    expect(encoder.counts.reduce((sum, count) => sum + count, 0)).toBe(30);
    // Canonical codes: no code is a prefix of another.
    const codes = [...Array(30).keys()].map((symbol) => encoder.codes[symbol]!.toString(2).padStart(encoder.lengths[symbol]!, '0'));
    for (const code of codes) expect(codes.filter((other) => other !== code && other.startsWith(code))).toEqual([]);
    expect(codes).not.toContain('1'.repeat(16));
  });

  it('gives a lone symbol a one-bit code', () => {
    const frequencies = new Uint32Array(256);
    frequencies[0] = 500;
    const encoder = optimalHuffmanEncoder(frequencies);
    expect(encoder.lengths[0]).toBe(1);
    expect(encoder.codes[0]).toBe(0);
  });
});
