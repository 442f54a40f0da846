import type { FrameCodec } from './frame-codec.js';
import { loadHtj2kCodec } from './htj2k.js';
import { loadJpeg2000Codec } from './jpeg-2000.js';
import { loadJpegBaselineDecoder } from './jpeg-baseline-decode.js';
import { loadJpegLsCodec } from './jpeg-ls.js';
import { JPEG_LOSSLESS_CODEC } from './jpeg-lossless.js';
import { RLE_LOSSLESS_CODEC } from './rle-lossless.js';

/** The loaded codecs of a run, by Transfer Syntax UID. */
export type FrameCodecs = ReadonlyMap<string, FrameCodec>;

/** One row of the table: the syntaxes a codec reads, and how to get it (WebAssembly ones load asynchronously). */
interface CodecEntry {
  readonly transferSyntaxes: readonly string[];
  readonly load: () => FrameCodec | Promise<FrameCodec>;
}

const CODEC_ENTRIES: readonly CodecEntry[] = [
  { transferSyntaxes: ['1.2.840.10008.1.2.5'], load: () => RLE_LOSSLESS_CODEC },
  // Process 1 and 2/4 (8-bit frames only); decode only: baseline frames are blanked block by block (jpeg-block-blank.ts).
  { transferSyntaxes: ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51'], load: loadJpegBaselineDecoder },
  // Decode only: no encoder on npm, so cleaned frames are written in RLE Lossless.
  { transferSyntaxes: ['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'], load: () => JPEG_LOSSLESS_CODEC },
  { transferSyntaxes: ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'], load: loadJpegLsCodec },
  { transferSyntaxes: ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.92', '1.2.840.10008.1.2.4.93'], load: loadJpeg2000Codec },
  { transferSyntaxes: ['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'], load: loadHtj2kCodec },
];

let loaded: Promise<FrameCodecs> | undefined;

/**
 * Every codec, by transfer syntax UID, loaded once per process before the first file that needs
 * one (the WebAssembly libraries instantiate asynchronously; the codecs are synchronous after). A
 * failed load is forgotten, so a later call tries again.
 */
export function loadFrameCodecs(): Promise<FrameCodecs> {
  loaded ??= loadAll().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

async function loadAll(): Promise<FrameCodecs> {
  const codecs = new Map<string, FrameCodec>();
  for (const entry of CODEC_ENTRIES) {
    const codec = await entry.load();
    for (const uid of entry.transferSyntaxes) codecs.set(uid, codec);
  }
  return codecs;
}
