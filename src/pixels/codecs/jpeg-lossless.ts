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
}

// The package ships no type declarations; its CommonJS build is typed here by what we call.
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
    output = decoder.decode(encoded.buffer as ArrayBuffer, encoded.byteOffset, encoded.byteLength, width);
  } catch (error) {
    throw new UnsupportedDicomError(`JPEG Lossless frame cannot be decoded (${error instanceof Error ? error.message : 'decoder error'})`, { cause: error });
  }
  if (decoder.xDim !== image.columns || decoder.yDim !== image.rows) throw new UnsupportedDicomError(`JPEG Lossless frame is ${decoder.xDim}×${decoder.yDim} where the image is ${image.columns}×${image.rows}`);
  if (decoder.numComp !== image.samplesPerPixel) {
    throw new UnsupportedDicomError(`JPEG Lossless scan has ${decoder.numComp} components where the image has ${image.samplesPerPixel} samples per pixel (one scan per component is not supported)`);
  }
  const bytes = image.rows * image.columns * image.samplesPerPixel * width;
  const samples = new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
  if (samples.length < bytes) throw new UnsupportedDicomError('JPEG Lossless frame decodes to fewer samples than the image has');
  return { samples: samples.subarray(0, bytes), photometric: image.photometric };
}

export const JPEG_LOSSLESS_CODEC: FrameCodec = {
  name: 'JPEG Lossless',
  decode: decodeJpegLossless,
};
