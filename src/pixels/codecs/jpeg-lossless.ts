import { createRequire } from 'node:module';
import { UnsupportedDicomError } from '../../dicom/errors.js';
import type { ImagePixels } from '../image-pixels.js';
import type { DecodedFrame, FrameCodec } from './frame-codec.js';

// JPEG Lossless, Non-Hierarchical, Process 14 (1.2.840.10008.1.2.4.57) and its Selection Value 1
// (.70) through jpeg-lossless-decoder-js. Decode only: npm has no encoder for it, so the caller
// writes cleaned frames of these syntaxes as RLE Lossless.

interface LosslessDecoder {
  /** Samples of `numBytes` each, interleaved by pixel; 16-bit ones little-endian in a Uint16Array. */
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
  xDim: number;
  yDim: number;
  /** Components of the (single) scan it decoded. */
  numComp: number;
  /** The row it would write next: `yDim` once every pixel is out. */
  yLoc: number;
}

// The package ships no type declarations; its CommonJS build is typed here by what we call.
const END_OF_IMAGE = Buffer.from([0xff, 0xd9]);
const SLACK = 8;

const { Decoder } = createRequire(import.meta.url)('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoder };

function decodeJpegLossless(encoded: Uint8Array, image: ImagePixels): DecodedFrame {
  // The decoder writes 16-bit colour through its single-component path, so it would scramble it.
  if (image.bitsAllocated === 32 || (image.samplesPerPixel > 1 && image.bitsAllocated > 8)) {
    throw new UnsupportedDicomError(`JPEG Lossless with ${image.samplesPerPixel} samples of ${image.bitsAllocated} bits is not supported by the decoder`);
  }
  const width = image.bitsAllocated / 8;
  const decoder = new Decoder();
  let output: Uint8Array | Uint16Array;
  try {
    const slack = withSlackBeforeEnd(encoded);
    output = decoder.decode(slack.buffer as ArrayBuffer, slack.byteOffset, slack.byteLength, width);
  } catch (error) {
    throw new UnsupportedDicomError(`JPEG Lossless frame cannot be decoded (${error instanceof Error ? error.message : 'decoder error'})`, { cause: error });
  }
  if (decoder.xDim !== image.columns || decoder.yDim !== image.rows) throw new UnsupportedDicomError(`JPEG Lossless frame is ${decoder.xDim}×${decoder.yDim} where the image is ${image.columns}×${image.rows}`);
  if (decoder.numComp !== image.samplesPerPixel) {
    throw new UnsupportedDicomError(`JPEG Lossless scan has ${decoder.numComp} components where the image has ${image.samplesPerPixel} samples per pixel (one scan per component is not supported)`);
  }
  if (decoder.yLoc < decoder.yDim) throw new UnsupportedDicomError('JPEG Lossless frame ends before its last pixel');
  const bytes = image.rows * image.columns * image.samplesPerPixel * width;
  const samples = new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
  if (samples.length < bytes) throw new UnsupportedDicomError('JPEG Lossless frame decodes to fewer samples than the image has');
  return { samples: samples.subarray(0, bytes), photometric: image.photometric };
}

/**
 * The frame with zero bytes before its EOI marker. The decoder looks 8 bits ahead for each code;
 * when that lookahead reaches the EOI at the last pixel it stops without writing that pixel (seen
 * on DCMTK's colour frames: the last pixel came out 0). Bits after the last pixel are never used.
 */
function withSlackBeforeEnd(encoded: Uint8Array): Uint8Array {
  // Entropy-coded data never holds FF D9, so the last one is the EOI (files pad after it with 00 or 20).
  const eoi = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength).lastIndexOf(END_OF_IMAGE);
  const end = eoi >= 0 ? eoi : encoded.length;
  const out = new Uint8Array(end + SLACK + 2);
  out.set(encoded.subarray(0, end));
  out.set(END_OF_IMAGE, end + SLACK);
  return out;
}

export const JPEG_LOSSLESS_CODEC: FrameCodec = {
  name: 'JPEG Lossless',
  decode: decodeJpegLossless,
};
