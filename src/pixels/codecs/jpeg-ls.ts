import { createRequire } from 'node:module';
import { instantiateEmscripten, type EmscriptenFactory } from './emscripten-module.js';
import { UnsupportedDicomError } from '../../dicom/errors.js';
import type { ImagePixels } from '../image-pixels.js';
import type { DecodedFrame, FrameCodec } from './frame-codec.js';

// JPEG-LS Lossless (1.2.840.10008.1.2.4.80) and Near-Lossless (.81) through CharLS compiled to
// WebAssembly (@cornerstonejs/codec-charls). The package is CommonJS: its "./wasmjs" export is an
// emscripten factory that loads charlswasm.wasm beside it and resolves to the module.

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}

interface CharLsDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  /** 0: none (one component after another), 1: line, 2: sample. */
  getInterleaveMode(): number;
  getNearLossless(): number;
  delete(): void;
}

interface CharLsEncoder {
  getDecodedBuffer(frameInfo: FrameInfo): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  setNearLossless(near: number): void;
  setInterleaveMode(mode: number): void;
  encode(): void;
  delete(): void;
}

interface CharLsModule {
  JpegLSDecoder: new () => CharLsDecoder;
  JpegLSEncoder: new () => CharLsEncoder;
}

const END_OF_IMAGE = Buffer.from([0xff, 0xd9]);
const INTERLEAVE_NONE = 0;
const INTERLEAVE_SAMPLE = 2;

/** Loads CharLS once; the codec it returns is synchronous. */
export async function loadJpegLsCodec(): Promise<FrameCodec> {
  // The package is CommonJS (an Emscripten factory): ESM loads it through createRequire.
  const require = createRequire(import.meta.url);
  const charls = await instantiateEmscripten(require('@cornerstonejs/codec-charls/wasmjs') as EmscriptenFactory<CharLsModule>);
  return {
    name: 'JPEG-LS',
    decode: (encoded, image) => decodeJpegLs(charls, encoded, image),
    encode: (frame, image) => encodeJpegLs(charls, frame, image),
  };
}

function decodeJpegLs(charls: CharLsModule, encoded: Uint8Array, image: ImagePixels): DecodedFrame {
  // CharLS spends tens of seconds on a stream cut short before failing; entropy-coded JPEG-LS data
  // never holds FF D9, so a frame without it is refused at once (bytes after it are padding).
  const end = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength).lastIndexOf(END_OF_IMAGE);
  if (end < 0) throw new UnsupportedDicomError('JPEG-LS frame has no end-of-image marker (truncated)');
  const codestream = encoded.subarray(0, end + 2);
  const decoder = new charls.JpegLSDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    try {
      decoder.decode();
    } catch (error) {
      throw new UnsupportedDicomError(`JPEG-LS frame cannot be decoded (${describeWasmError(error)})`, { cause: error });
    }
    const info = decoder.getFrameInfo();
    checkFrameInfo(info, image);
    const width = image.bitsAllocated / 8;
    const sourceWidth = info.bitsPerSample > 8 ? 2 : 1;
    const decoded = decoder.getDecodedBuffer();
    const pixels = image.rows * image.columns;
    if (decoded.length < pixels * image.samplesPerPixel * sourceWidth) throw new UnsupportedDicomError('JPEG-LS frame decodes to fewer samples than the image has');
    const planar = image.samplesPerPixel > 1 && decoder.getInterleaveMode() === INTERLEAVE_NONE;
    // Copied out of WebAssembly memory (freed by delete) and widened to the image's sample size.
    const samples = Buffer.alloc(pixels * image.samplesPerPixel * width);
    if (sourceWidth === width && !planar) {
      samples.set(decoded.subarray(0, samples.length));
    } else {
      const count = pixels * image.samplesPerPixel;
      for (let index = 0; index < count; index++) {
        // Interleave mode none: all of component 0, then 1, then 2 (CharLS returns lines and samples interleaved by pixel).
        const source = planar ? (index % image.samplesPerPixel) * pixels + Math.floor(index / image.samplesPerPixel) : index;
        const value = sourceWidth === 2 ? (decoded[2 * source] as number) | ((decoded[2 * source + 1] as number) << 8) : (decoded[source] as number);
        if (width === 1) samples[index] = value;
        else samples.writeUInt16LE(value, 2 * index);
      }
    }
    return { samples, photometric: image.photometric };
  } finally {
    decoder.delete();
  }
}

/**
 * Lossless (NEAR = 0) whatever the file's syntax: a Near-Lossless (.81) frame is re-encoded without
 * further loss, and the file's Lossy Image Compression attributes stay as they are (its pixels were
 * already lossy).
 */
function encodeJpegLs(charls: CharLsModule, frame: DecodedFrame, image: ImagePixels): Uint8Array {
  if (image.bitsAllocated > 16) throw new UnsupportedDicomError('JPEG-LS encodes at most 16 bits per sample');
  const pixels = image.rows * image.columns;
  const count = pixels * image.samplesPerPixel;
  const width = image.bitsAllocated / 8;
  if (frame.samples.length < count * width) throw new UnsupportedDicomError(`frame to encode holds ${frame.samples.length} bytes where the image needs ${count * width}`);
  // JPEG-LS codes Bits Stored bits (at least 2); bits above them are not pixel data (two's complement keeps its sign in Bits Stored).
  const bits = Math.max(2, image.bitsStored);
  const targetWidth = bits > 8 ? 2 : 1;
  const mask = bits === 16 ? 0xffff : (1 << bits) - 1;
  const encoder = new charls.JpegLSEncoder();
  try {
    const input = encoder.getDecodedBuffer({ width: image.columns, height: image.rows, bitsPerSample: bits, componentCount: image.samplesPerPixel });
    const samples = frame.samples;
    for (let index = 0; index < count; index++) {
      const value = (width === 2 ? (samples[2 * index] as number) | ((samples[2 * index + 1] as number) << 8) : (samples[index] as number)) & mask;
      if (targetWidth === 1) input[index] = value;
      else {
        input[2 * index] = value & 0xff;
        input[2 * index + 1] = value >> 8;
      }
    }
    encoder.setNearLossless(0);
    encoder.setInterleaveMode(image.samplesPerPixel > 1 ? INTERLEAVE_SAMPLE : INTERLEAVE_NONE);
    try {
      encoder.encode();
    } catch (error) {
      throw new UnsupportedDicomError(`JPEG-LS encoder refused the frame (${describeWasmError(error)})`, { cause: error });
    }
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}

function checkFrameInfo(info: FrameInfo, image: ImagePixels): void {
  if (info.width !== image.columns || info.height !== image.rows) throw new UnsupportedDicomError(`JPEG-LS frame is ${info.width}×${info.height} where the image is ${image.columns}×${image.rows}`);
  if (info.componentCount !== image.samplesPerPixel) throw new UnsupportedDicomError(`JPEG-LS frame has ${info.componentCount} components where the image has ${image.samplesPerPixel} samples per pixel`);
  if (info.bitsPerSample > image.bitsAllocated || info.bitsPerSample > 16) throw new UnsupportedDicomError(`JPEG-LS frame has ${info.bitsPerSample} bits per sample where the image allocates ${image.bitsAllocated}`);
}

/** Emscripten throws numbers (exception pointers) or Errors; neither carries a pixel value. */
function describeWasmError(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : 'CharLS error';
}
