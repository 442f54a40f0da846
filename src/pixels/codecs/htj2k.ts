import { UnsupportedDicomError } from '../../dicom/errors.js';
import type { ImagePixels } from '../image-pixels.js';
import { encoderInput, samplesOfDecoded, type DecodedShape } from './decoded-samples.js';
import { createRequire } from 'node:module';
import { instantiateEmscripten, type EmscriptenFactory } from './emscripten-module.js';
import type { DecodedFrame, FrameCodec } from './frame-codec.js';
import { decodedPhotometric, decompositionsFor, hasColourTransform } from './j2k-family.js';
import { usesColourTransform } from './j2k-codestream.js';

// The package is CommonJS (an Emscripten factory): ESM loads it through createRequire.
const require = createRequire(import.meta.url);

interface HtShape extends DecodedShape {
  readonly isUsingColorTransform: boolean;
}

// The embind surface of @cornerstonejs/codec-openjph (OpenJPH) that we use; the package ships no types.
interface Decoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): HtShape;
  delete(): void;
}

interface Encoder {
  getDecodedBuffer(shape: HtShape): Uint8Array;
  setQuality(lossless: boolean, quantizationStep: number): void;
  setDecompositions(count: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

interface OpenJph {
  readonly HTJ2KDecoder: new () => Decoder;
  readonly HTJ2KEncoder: new () => Encoder;
}

/**
 * The codec of High-Throughput JPEG 2000 Lossless (1.2.840.10008.1.2.4.201), with RPCL
 * (.4.202) and HTJ2K (.4.203), on OpenJPH built to WebAssembly. As for JPEG 2000: a codestream with
 * a component transformation decodes to RGB, and encoding is always lossless (reversible 5/3
 * wavelet, so a re-encoded lossy .4.203 frame holds exactly the decoded samples and the file's
 * Lossy Image Compression history stays true), with the reversible colour transform for three
 * samples when the file's Photometric Interpretation is YBR_RCT or YBR_ICT, none otherwise.
 * Frames are written in the HTJ2K block coder, which every .4.201–.203 decoder reads.
 */
export async function loadHtj2kCodec(): Promise<FrameCodec> {
  const openjph = await instantiateEmscripten(require('@cornerstonejs/codec-openjph/wasmjs') as EmscriptenFactory<OpenJph>);
  return {
    name: 'High-Throughput JPEG 2000',
    decode: (encoded, image) => decode(openjph, encoded, image),
    encode: (frame, image) => encode(openjph, frame, image),
  };
}

function decode(openjph: OpenJph, encoded: Uint8Array, image: ImagePixels): DecodedFrame {
  const transformed = usesColourTransform(encoded);
  const decoder = new openjph.HTJ2KDecoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    guarded(() => decoder.decode(), 'decoded');
    const shape = decoder.getFrameInfo();
    const samples = samplesOfDecoded('High-Throughput JPEG 2000', decoder.getDecodedBuffer(), shape, image);
    const planar = shape.componentCount > 1 && !shape.isUsingColorTransform;
    return { samples: planar ? rowsInPlaneOrder(samples, image, 'from library') : samples, photometric: decodedPhotometric(image, transformed) };
  } finally {
    decoder.delete();
  }
}

function encode(openjph: OpenJph, frame: DecodedFrame, image: ImagePixels): Uint8Array {
  const input = encoderInput('High-Throughput JPEG 2000', frame.samples, image);
  const shape: HtShape = {
    width: image.columns,
    height: image.rows,
    bitsPerSample: input.bitsPerSample,
    componentCount: image.samplesPerPixel,
    isSigned: input.signed,
    isUsingColorTransform: image.samplesPerPixel === 3 && hasColourTransform(image),
  };
  const encoder = new openjph.HTJ2KEncoder();
  try {
    const planar = shape.componentCount > 1 && !shape.isUsingColorTransform;
    encoder.getDecodedBuffer(shape).set(planar ? rowsInPlaneOrder(input.bytes, image, 'to library') : input.bytes);
    encoder.setQuality(true, 0);
    encoder.setDecompositions(decompositionsFor(shape));
    guarded(() => encoder.encode(), 'encoded');
    const encoded = encoder.getEncodedBuffer().slice();
    if (encoded.length === 0) throw new UnsupportedDicomError('the High-Throughput JPEG 2000 encoder wrote nothing, so the frame cannot be encoded');
    return encoded;
  } finally {
    encoder.delete();
  }
}

/**
 * The OpenJPH build codes colour without a transform plane by plane (all rows of the first
 * component, then the second's, …) but hands over, and takes, the k-th of those rows as row
 * floor(k / 3), component k mod 3 of an interleaved frame. Its own round trip is consistent, other
 * decoders see scrambled rows; so rows are moved where the library expects them, both ways.
 * Samples are 8 bits here (the encoders refuse colour above 8 bits, and so does the decoder check).
 */
function rowsInPlaneOrder(samples: Uint8Array, image: ImagePixels, direction: 'to library' | 'from library'): Uint8Array {
  const { rows, columns, samplesPerPixel } = image;
  if (image.bitsAllocated !== 8) throw new UnsupportedDicomError('a High-Throughput JPEG 2000 frame of colour samples above 8 bits cannot be coded');
  const moved = new Uint8Array(samples.length);
  for (let line = 0; line < rows * samplesPerPixel; line++) {
    // The library's row `line`: as it reads it, and as the codestream holds it.
    const [libraryRow, libraryComponent] = [Math.floor(line / samplesPerPixel), line % samplesPerPixel];
    const [row, component] = [line % rows, Math.floor(line / rows)];
    for (let column = 0; column < columns; column++) {
      const library = (libraryRow * columns + column) * samplesPerPixel + libraryComponent;
      const frame = (row * columns + column) * samplesPerPixel + component;
      if (direction === 'to library') moved[library] = samples[frame] ?? 0;
      else moved[frame] = samples[library] ?? 0;
    }
  }
  return moved;
}

/** Runs a library call; what it throws (a C++ exception arrives as a bare number) becomes our error. */
function guarded(call: () => void, done: 'decoded' | 'encoded'): void {
  try {
    call();
  } catch (cause) {
    throw new UnsupportedDicomError(`the High-Throughput JPEG 2000 frame could not be ${done}, so its pixels cannot be blanked`, { cause });
  }
}
