import { UnsupportedDicomError } from '../../dicom/errors.js';
import type { ImagePixels } from '../image-pixels.js';
import { samplesOfDecoded, type EmbindDecoder } from './decoded-samples.js';
import { createRequire } from 'node:module';
import { instantiateEmscripten, type EmscriptenFactory } from './emscripten-module.js';
import type { DecodedFrame, FrameCodec } from './frame-codec.js';

// The package is CommonJS (an Emscripten factory): ESM loads it through createRequire.
const require = createRequire(import.meta.url);

// The embind surface of @cornerstonejs/codec-libjpeg-turbo-8bit's decoder build that we use; the package ships no types.
type Decoder = EmbindDecoder;

interface LibjpegTurbo {
  readonly JPEGDecoder: new () => Decoder;
}

/**
 * A decoder (no encoder: blanking of these frames happens in the DCT domain elsewhere) of JPEG
 * Baseline (1.2.840.10008.1.2.4.50) and 8-bit JPEG Extended (.4.51) frames, for previews and text
 * recognition, on libjpeg-turbo built to WebAssembly. Three components come out as RGB: libjpeg
 * converts them from YCbCr unless the JPEG's own markers (Adobe, JFIF, component identifiers) say
 * they are RGB already, whatever the file's Photometric Interpretation. This 8-bit build cannot
 * read 12-bit frames, which are refused.
 */
export async function loadJpegBaselineDecoder(): Promise<FrameCodec> {
  const libjpeg = await instantiateEmscripten(require('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as EmscriptenFactory<LibjpegTurbo>);
  return { name: 'JPEG Baseline', decode: (encoded, image) => decode(libjpeg, encoded, image) };
}

function decode(libjpeg: LibjpegTurbo, encoded: Uint8Array, image: ImagePixels): DecodedFrame {
  const precision = framePrecision(encoded);
  if (precision !== 8) throw new UnsupportedDicomError(`the JPEG frame has ${precision}-bit samples, which the JPEG decoder cannot read (8-bit only), so its pixels cannot be blanked`);
  const decoder = new libjpeg.JPEGDecoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    try {
      decoder.decode();
    } catch (cause) {
      throw new UnsupportedDicomError('the JPEG frame could not be decoded, so its pixels cannot be blanked', { cause });
    }
    const samples = samplesOfDecoded('JPEG', decoder.getDecodedBuffer(), decoder.getFrameInfo(), image);
    return { samples, photometric: image.samplesPerPixel === 3 ? 'RGB' : image.photometric };
  } finally {
    decoder.delete();
  }
}

/** The sample precision of the frame's SOF segment (ITU-T T.81 B.2.2), read before the library, which fails on 12 bits without saying why. */
function framePrecision(jpeg: Uint8Array): number {
  const refuse = (): never => {
    throw new UnsupportedDicomError('the JPEG frame has no frame header before its end, so its pixels cannot be blanked');
  };
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) refuse();
  let at = 2;
  while (at + 4 < jpeg.length) {
    if (jpeg[at] !== 0xff) refuse();
    const marker = jpeg[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return jpeg[at + 4] ?? refuse();
    at += 2 + (((jpeg[at + 2] ?? 0) << 8) | (jpeg[at + 3] ?? 0));
  }
  return refuse();
}
