/** A Huffman table for encoding: code and length per symbol (length 0: the symbol has no code). */
export interface HuffmanEncoder {
  readonly codes: Uint16Array;
  readonly lengths: Uint8Array;
  /** The table as DHT carries it: 16 counts, then the symbols ordered by code length. */
  readonly counts: Uint8Array;
  readonly symbols: Uint8Array;
}

/**
 * The optimal table, codes at most 16 bits, for symbol frequencies `frequencies` (256 entries),
 * by the procedure of T.81 Annex K.2: one reserved symbol keeps any code from being all 1-bits.
 */
export function optimalHuffmanEncoder(frequencies: Uint32Array): HuffmanEncoder {
  const freq = new Float64Array(257);
  freq.set(frequencies.subarray(0, 256));
  freq[256] = 1;
  const codeSize = new Int32Array(257);
  const others = new Int32Array(257).fill(-1);
  // Figure K.1: merge the two least frequent trees until one is left.
  for (;;) {
    let v1 = -1;
    let v2 = -1;
    for (let symbol = 0; symbol < 257; symbol++) {
      const f = freq[symbol]!;
      if (f === 0) continue;
      // Ties go to the larger symbol (<=), as the figure specifies.
      if (v1 < 0 || f <= freq[v1]!) {
        v2 = v1;
        v1 = symbol;
      } else if (v2 < 0 || f <= freq[v2]!) {
        v2 = symbol;
      }
    }
    if (v2 < 0) break;
    freq[v1] = freq[v1]! + freq[v2]!;
    freq[v2] = 0;
    for (let at = v1; ; at = others[at]!) {
      codeSize[at] = codeSize[at]! + 1;
      if (others[at]! < 0) {
        others[at] = v2;
        break;
      }
    }
    for (let at = v2; at >= 0; at = others[at]!) codeSize[at] = codeSize[at]! + 1;
  }
  // Figure K.2 and K.3: count codes per length, then shorten codes longer than 16 bits.
  const bits = new Int32Array(33);
  for (let symbol = 0; symbol < 257; symbol++) if (codeSize[symbol]! > 0) bits[codeSize[symbol]!] = bits[codeSize[symbol]!]! + 1;
  for (let length = 32; length > 16; length--) {
    while (bits[length]! > 0) {
      let j = length - 2;
      while (bits[j] === 0) j--;
      bits[length] = bits[length]! - 2;
      bits[length - 1] = bits[length - 1]! + 1;
      bits[j + 1] = bits[j + 1]! + 2;
      bits[j] = bits[j]! - 1;
    }
  }
  let longest = 16;
  while (longest > 0 && bits[longest] === 0) longest--;
  bits[longest] = bits[longest]! - 1; // the reserved symbol's code
  // Figure K.4: symbols in order of code size, then of value.
  const symbols: number[] = [];
  for (let size = 1; size <= 32; size++) for (let symbol = 0; symbol < 256; symbol++) if (codeSize[symbol] === size) symbols.push(symbol);
  const counts = Uint8Array.from(bits.subarray(1, 17));
  return encoderOf(counts, Uint8Array.from(symbols));
}

/** Canonical codes (T.81 C.1, C.2) for a table given as counts and symbols. */
function encoderOf(counts: Uint8Array, symbols: Uint8Array): HuffmanEncoder {
  const codes = new Uint16Array(256);
  const lengths = new Uint8Array(256);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    for (let n = 0; n < counts[length - 1]!; n++) {
      const symbol = symbols[index++]!;
      codes[symbol] = code++;
      lengths[symbol] = length;
    }
    code <<= 1;
  }
  return { codes, lengths, counts, symbols };
}

/** A DHT segment defining `tables` (class 0 DC, 1 AC; id 0..3). */
export function dhtSegment(tables: readonly { tableClass: number; id: number; encoder: HuffmanEncoder }[]): Uint8Array {
  const length = 2 + tables.reduce((sum, table) => sum + 17 + table.encoder.symbols.length, 0);
  const segment = new Uint8Array(2 + length);
  segment.set([0xff, 0xc4, length >> 8, length & 0xff]);
  let at = 4;
  for (const { tableClass, id, encoder } of tables) {
    segment[at] = (tableClass << 4) | id;
    segment.set(encoder.counts, at + 1);
    segment.set(encoder.symbols, at + 17);
    at += 17 + encoder.symbols.length;
  }
  return segment;
}
