/**
 * Writes entropy-coded data: bits most significant first, a zero byte stuffed after every 0xFF
 * (T.81 F.1.2.3), padding to the byte with 1-bits before a marker or the scan's end.
 */
export class BitWriter {
  private bytes: Uint8Array;
  private length = 0;
  private buffer = 0;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.bytes = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Appends the low `n` bits of `value` (n ≤ 16). */
  write(value: number, n: number): void {
    this.buffer = ((this.buffer << n) | (value & ((1 << n) - 1))) >>> 0;
    this.count += n;
    if (this.count < 8) return;
    this.ensure(6);
    while (this.count >= 8) {
      this.count -= 8;
      const byte = (this.buffer >>> this.count) & 0xff;
      this.bytes[this.length++] = byte;
      if (byte === 0xff) this.bytes[this.length++] = 0;
    }
    this.buffer &= (1 << this.count) - 1;
  }

  /** Pads the last byte with 1-bits. */
  flush(): void {
    if (this.count > 0) this.write(0x7f, 8 - this.count);
  }

  /** Appends bytes as they are (markers, segments): the caller flushes first. */
  raw(bytes: ArrayLike<number>): void {
    this.ensure(bytes.length);
    for (let index = 0; index < bytes.length; index++) this.bytes[this.length++] = bytes[index]!;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}
