import { UnsupportedDicomError } from '../../dicom/errors.js';
import type { ImagePixels } from '../image-pixels.js';
import { encoderInput, samplesOfDecoded, type DecodedShape, type EmbindDecoder } from './decoded-samples.js';
import { createRequire } from 'node:module';
import { instantiateEmscripten, type EmscriptenFactory } from './emscripten-module.js';
import type { DecodedFrame, FrameCodec } from './frame-codec.js';
import { joinComponentCodestreams, usesColourTransform } from './j2k-codestream.js';
import { decodedPhotometric, decompositionsFor, hasColourTransform } from './j2k-family.js';

// The package is CommonJS (an Emscripten factory): ESM loads it through createRequire.
const require = createRequire(import.meta.url);

// The embind surface of @cornerstonejs/codec-openjpeg (OpenJPEG 2.5) that we use; the package ships no types.
type Decoder = EmbindDecoder;

interface Encoder {
  getDecodedBuffer(shape: DecodedShape): Uint8Array;
  setQuality(lossless: boolean, layers: number): void;
  setDecompositions(count: number): void;
  setProgressionOrder(order: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

interface OpenJpeg {
  readonly J2KDecoder: new () => Decoder;
  readonly J2KEncoder: new () => Encoder;
}

const CPRL = 4;

/**
 * The codec of JPEG 2000 Lossless (1.2.840.10008.1.2.4.90), JPEG 2000 (.4.91) and Part 2
 * Multi-component (.4.92, .4.93), on OpenJPEG built to WebAssembly.
 *
 * Decoding gives the samples as stored, except that a codestream with a component transformation
 * (Photometric Interpretation YBR_RCT or YBR_ICT) decodes to RGB. Encoding is always lossless
 * (reversible 5/3 wavelet), so a re-encoded .4.91 frame holds exactly the decoded samples and the
 * file's Lossy Image Compression history stays true as it is. Three samples get the reversible
 * colour transform when the file's Photometric Interpretation says the frames carry one (YBR_RCT,
 * YBR_ICT: decoders apply the inverse from the codestream's flag, whichever the kernel), none otherwise.
 */
export async function loadJpeg2000Codec(): Promise<FrameCodec> {
  const openjpeg = await instantiateEmscripten(require('@cornerstonejs/codec-openjpeg/wasmjs') as EmscriptenFactory<OpenJpeg>);
  return {
    name: 'JPEG 2000',
    decode: (encoded, image) => decode(openjpeg, encoded, image),
    encode: (frame, image) => encode(openjpeg, frame, image),
  };
}

function decode(openjpeg: OpenJpeg, encoded: Uint8Array, image: ImagePixels): DecodedFrame {
  const transformed = usesColourTransform(encoded);
  const decoder = new openjpeg.J2KDecoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    guarded(() => decoder.decode(), 'decoded');
    const samples = samplesOfDecoded('JPEG 2000', decoder.getDecodedBuffer(), decoder.getFrameInfo(), image);
    return { samples, photometric: decodedPhotometric(image, transformed) };
  } finally {
    decoder.delete();
  }
}

function encode(openjpeg: OpenJpeg, frame: DecodedFrame, image: ImagePixels): Uint8Array {
  const input = encoderInput('JPEG 2000', frame.samples, image);
  if (image.samplesPerPixel === 1 || hasColourTransform(image)) {
    // The OpenJPEG build applies the reversible colour transform to any three components.
    return encodeOnce(openjpeg, input.bytes, { ...shapeOf(image, input), componentCount: image.samplesPerPixel }, undefined);
  }
  // No transform wanted: each component alone, joined into one codestream.
  const count = image.rows * image.columns;
  const planes = [0, 1, 2].map((component) => {
    const plane = new Uint8Array(count);
    for (let pixel = 0; pixel < count; pixel++) plane[pixel] = input.bytes[pixel * 3 + component] ?? 0;
    return encodeOnce(openjpeg, plane, { ...shapeOf(image, input), componentCount: 1 }, CPRL);
  });
  return joinComponentCodestreams(planes);
}

function shapeOf(image: ImagePixels, input: { bitsPerSample: number; signed: boolean }): DecodedShape {
  return { width: image.columns, height: image.rows, bitsPerSample: input.bitsPerSample, componentCount: image.samplesPerPixel, isSigned: input.signed };
}

function encodeOnce(openjpeg: OpenJpeg, bytes: Uint8Array, shape: DecodedShape, progression: number | undefined): Uint8Array {
  const encoder = new openjpeg.J2KEncoder();
  try {
    encoder.getDecodedBuffer(shape).set(bytes);
    encoder.setQuality(true, 0);
    encoder.setDecompositions(decompositionsFor(shape));
    if (progression !== undefined) encoder.setProgressionOrder(progression);
    guarded(() => encoder.encode(), 'encoded');
    const encoded = encoder.getEncodedBuffer().slice();
    if (encoded.length === 0) throw new UnsupportedDicomError('the JPEG 2000 encoder wrote nothing, so the frame cannot be encoded');
    return encoded;
  } finally {
    encoder.delete();
  }
}

/** Runs a library call; what it throws (a C++ exception arrives as a bare number) becomes our error. */
function guarded(call: () => void, done: 'decoded' | 'encoded'): void {
  try {
    call();
  } catch (cause) {
    throw new UnsupportedDicomError(`the JPEG 2000 frame could not be ${done}, so its pixels cannot be blanked`, { cause });
  }
}
