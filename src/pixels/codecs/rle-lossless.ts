import { MalformedDicomError, UnsupportedDicomError } from '../../dicom/errors.js';
import type { ImagePixels } from '../image-pixels.js';
import type { DecodedFrame, FrameCodec } from './frame-codec.js';

// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header (segment count, then 15 segment offsets,
// uint32 little-endian) and one PackBits segment per byte plane: for each sample in turn (R, G, B),
// its bytes from the most significant down. Segments are planar whatever the Planar Configuration.

const HEADER_BYTES = 64;
const MAX_SEGMENTS = 15;

function segmentsOf(image: ImagePixels): number {
  const segments = image.samplesPerPixel * (image.bitsAllocated / 8);
  if (segments > MAX_SEGMENTS) throw new UnsupportedDicomError(`RLE Lossless holds at most ${MAX_SEGMENTS} byte planes, the image needs ${segments}`);
  return segments;
}

/** The interleaved little-endian samples of one RLE Lossless frame. */
export function decodeRle(encoded: Uint8Array, image: ImagePixels): DecodedFrame {
  const expected = segmentsOf(image);
  if (encoded.length < HEADER_BYTES) throw new MalformedDicomError(`RLE frame of ${encoded.length} bytes is shorter than its ${HEADER_BYTES}-byte header`);
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const count = view.getUint32(0, true);
  if (count < 1 || count > MAX_SEGMENTS) throw new MalformedDicomError(`RLE frame header declares ${count} segments (1 to ${MAX_SEGMENTS} allowed)`);
  if (count !== expected) throw new MalformedDicomError(`RLE frame has ${count} segments where the image needs ${expected} (samples per pixel × bytes per sample)`);
  const offsets: number[] = [];
  for (let index = 0; index < count; index++) {
    const offset = view.getUint32(4 + 4 * index, true);
    const previous = offsets[index - 1] ?? HEADER_BYTES;
    if (offset < previous || offset > encoded.length) throw new MalformedDicomError(`RLE segment ${index + 1} offset is outside the frame or before the previous segment`);
    offsets.push(offset);
  }
  const pixels = image.rows * image.columns;
  const width = image.bitsAllocated / 8;
  const stride = image.samplesPerPixel * width;
  const samples = Buffer.alloc(pixels * stride);
  const plane = stride === 1 ? samples : Buffer.allocUnsafe(pixels);
  for (let segment = 0; segment < count; segment++) {
    const start = offsets[segment] as number;
    const end = offsets[segment + 1] ?? encoded.length;
    unpackBits(encoded, start, end, plane, segment);
    if (stride === 1) break;
    // Segment s holds byte (width - 1 - s % width) of sample floor(s / width): most significant first.
    let at = Math.floor(segment / width) * width + (width - 1 - (segment % width));
    for (let pixel = 0; pixel < pixels; pixel++, at += stride) samples[at] = plane[pixel] as number;
  }
  return { samples, photometric: image.photometric };
}

/** Fills `out` from the PackBits bytes [start, end) of `encoded`; bytes past a full `out` are padding. */
function unpackBits(encoded: Uint8Array, start: number, end: number, out: Buffer, segment: number): void {
  const source = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  let read = start;
  let written = 0;
  while (written < out.length && read < end) {
    const header = source[read++] as number;
    if (header < 128) {
      const length = Math.min(header + 1, out.length - written);
      if (read + length > end) throw new MalformedDicomError(`RLE segment ${segment + 1} ends inside a literal run`);
      source.copy(out, written, read, read + length);
      read += header + 1;
      written += length;
    } else if (header > 128) {
      if (read >= end) throw new MalformedDicomError(`RLE segment ${segment + 1} ends inside a replicate run`);
      const length = Math.min(257 - header, out.length - written);
      out.fill(source[read++] as number, written, written + length);
      written += length;
    }
    // 128 (-128) is a no-op by definition.
  }
  if (written < out.length) throw new MalformedDicomError(`RLE segment ${segment + 1} decodes to ${written} bytes where the image needs ${out.length}`);
}

/** One RLE Lossless frame of interleaved little-endian samples (each row encoded apart, PS3.5 G.3.1). */
export function encodeRle(frame: DecodedFrame, image: ImagePixels): Uint8Array {
  const count = segmentsOf(image);
  const pixels = image.rows * image.columns;
  const width = image.bitsAllocated / 8;
  const stride = image.samplesPerPixel * width;
  if (frame.samples.length < pixels * stride) throw new UnsupportedDicomError(`frame to encode holds ${frame.samples.length} bytes where the image needs ${pixels * stride}`);
  const samples = Buffer.from(frame.samples.buffer, frame.samples.byteOffset, frame.samples.byteLength);
  // Worst case per row: a header per full literal of 128 and one for the row's last literal (replicate
  // runs cost at most a byte per byte), plus one pad byte per segment.
  const worstRow = image.columns + Math.floor(image.columns / 128) + 2;
  const out = Buffer.allocUnsafe(HEADER_BYTES + count * (image.rows * worstRow + 1));
  out.fill(0, 0, HEADER_BYTES);
  out.writeUInt32LE(count, 0);
  const plane = stride === 1 ? samples : Buffer.allocUnsafe(pixels);
  let position = HEADER_BYTES;
  for (let segment = 0; segment < count; segment++) {
    out.writeUInt32LE(position, 4 + 4 * segment);
    if (stride > 1) {
      let at = Math.floor(segment / width) * width + (width - 1 - (segment % width));
      for (let pixel = 0; pixel < pixels; pixel++, at += stride) plane[pixel] = samples[at] as number;
    }
    for (let row = 0; row < image.rows; row++) position = packBits(plane, row * image.columns, (row + 1) * image.columns, out, position);
    if ((position & 1) === 1) out[position++] = 0;
  }
  return out.subarray(0, position);
}

/** PackBits of bytes [start, end) into `out` at `position`; returns the new position. */
function packBits(bytes: Buffer, start: number, end: number, out: Buffer, position: number): number {
  let at = start;
  while (at < end) {
    const run = runLength(bytes, at, end);
    if (run >= 2) {
      // Replicate run: header -(run - 1), never -128.
      out[position++] = 257 - run;
      out[position++] = bytes[at] as number;
      at += run;
      continue;
    }
    // Literal run: up to 128 bytes, stopped where a run of three begins (a run of two costs as much inside it).
    let literalEnd = at + 1;
    while (literalEnd < end && literalEnd - at < 128 && runLength(bytes, literalEnd, Math.min(end, literalEnd + 3)) < 3) literalEnd++;
    out[position++] = literalEnd - at - 1;
    bytes.copy(out, position, at, literalEnd);
    position += literalEnd - at;
    at = literalEnd;
  }
  return position;
}

/** How many bytes from `at` repeat the byte at `at`, at most 128 and not past `end`. */
function runLength(bytes: Buffer, at: number, end: number): number {
  const value = bytes[at];
  const limit = Math.min(end, at + 128);
  let next = at + 1;
  while (next < limit && bytes[next] === value) next++;
  return next - at;
}

export const RLE_LOSSLESS_CODEC: FrameCodec = {
  name: 'RLE Lossless',
  decode: decodeRle,
  encode: encodeRle,
};
