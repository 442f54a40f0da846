import { MalformedDicomError } from '../../dicom/errors.js';
import type { HuffmanTableSpec } from './markers.js';

const LOOKUP_BITS = 9;

/**
 * A Huffman table ready for decoding: codes up to 9 bits resolve through one lookup
 * (`lookup[next 9 bits]` = length << 8 | symbol, 0 for longer codes); longer ones walk the
 * canonical code ranges per length (T.81 F.2.2.3).
 */
export interface HuffmanDecoder {
  readonly lookup: Uint16Array;
  readonly maxCode: Int32Array;
  readonly valueOffset: Int32Array;
  readonly symbols: Uint8Array;
}

export function huffmanDecoder(spec: HuffmanTableSpec): HuffmanDecoder {
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  const maxCode = new Int32Array(18).fill(-1);
  const valueOffset = new Int32Array(18);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const count = spec.counts[length - 1]!;
    valueOffset[length] = index - code;
    for (let n = 0; n < count; n++) {
      if (length <= LOOKUP_BITS) {
        const shift = LOOKUP_BITS - length;
        const entry = (length << 8) | spec.symbols[index]!;
        for (let fill = 0; fill < 1 << shift; fill++) lookup[(code << shift) | fill] = entry;
      }
      code++;
      index++;
    }
    if (count > 0) maxCode[length] = code - 1;
    if (code > 1 << length) throw new MalformedDicomError('a JPEG Huffman table has more codes than its lengths allow');
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { lookup, maxCode, valueOffset, symbols: spec.symbols };
}

/**
 * Reads the bits of one entropy-coded segment: removes stuffed zero bytes and stops at any marker.
 * Past a marker or the end it feeds zero bits and counts them, so a truncated scan is found at the
 * next `checkNotPastEnd` instead of being read from whatever follows.
 */
export class BitReader {
  private buffer = 0;
  private count = 0;
  private phantom = 0;
  position: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.position = start;
  }

  private fill(): void {
    while (this.count <= 24) {
      let byte = 0;
      const at = this.position;
      if (at < this.end && this.bytes[at] !== 0xff) {
        byte = this.bytes[at]!;
        this.position = at + 1;
      } else if (at + 1 < this.end && this.bytes[at] === 0xff && this.bytes[at + 1] === 0x00) {
        byte = 0xff;
        this.position = at + 2;
      } else {
        this.phantom += 8;
      }
      this.buffer = ((this.buffer << 8) | byte) >>> 0;
      this.count += 8;
    }
  }

  bits(n: number): number {
    if (n === 0) return 0;
    if (this.count < n) this.fill();
    this.count -= n;
    return (this.buffer >>> this.count) & ((1 << n) - 1);
  }

  decode(table: HuffmanDecoder): number {
    if (this.count < 16) this.fill();
    const peek = (this.buffer >>> (this.count - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1);
    const entry = table.lookup[peek]!;
    if (entry !== 0) {
      this.count -= entry >> 8;
      return entry & 0xff;
    }
    let length = LOOKUP_BITS + 1;
    let code = (this.buffer >>> (this.count - length)) & ((1 << length) - 1);
    while (code > table.maxCode[length]!) {
      length++;
      if (length > 16) throw new MalformedDicomError('the JPEG entropy-coded data holds a code its Huffman table does not define');
      code = (this.buffer >>> (this.count - length)) & ((1 << length) - 1);
    }
    this.count -= length;
    return table.symbols[code + table.valueOffset[length]!]!;
  }

  /** Throws when a read went past the segment's data (the zero bits fed after it were consumed). */
  checkNotPastEnd(): void {
    if (this.count < this.phantom) throw new MalformedDicomError('the JPEG entropy-coded data ends before the last block of its scan');
  }

  /**
   * At a restart interval's end: drops the byte's padding bits and reads the RSTn marker that must
   * follow (0xFF fill bytes before it are allowed).
   */
  restart(expected: number): void {
    this.checkNotPastEnd();
    if (this.count - this.phantom >= 8) throw new MalformedDicomError('the JPEG entropy-coded data has more data than blocks before a restart marker');
    this.buffer = 0;
    this.count = 0;
    this.phantom = 0;
    let at = this.position;
    while (at + 1 < this.end && this.bytes[at] === 0xff && this.bytes[at + 1] === 0xff) at++;
    if (at + 1 >= this.end || this.bytes[at] !== 0xff || this.bytes[at + 1] !== expected) throw new MalformedDicomError('the JPEG entropy-coded data lacks an expected restart marker');
    this.position = at + 2;
  }
}
