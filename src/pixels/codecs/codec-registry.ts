import type { FrameCodec } from './frame-codec.js';
import { loadJpegLsCodec } from './jpeg-ls.js';
import { JPEG_LOSSLESS_CODEC } from './jpeg-lossless.js';
import { RLE_LOSSLESS_CODEC } from './rle-lossless.js';

/** The loaded codecs of a run, by Transfer Syntax UID. */
export type FrameCodecs = ReadonlyMap<string, FrameCodec>;

/** One row of the table: the syntaxes a codec reads, and how to get it (WebAssembly ones load asynchronously). */
export interface CodecEntry {
  readonly transferSyntaxes: readonly string[];
  readonly load: () => FrameCodec | Promise<FrameCodec>;
}

export const LOSSLESS_CODEC_ENTRIES: readonly CodecEntry[] = [
  { transferSyntaxes: ['1.2.840.10008.1.2.5'], load: () => RLE_LOSSLESS_CODEC },
  { transferSyntaxes: ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'], load: loadJpegLsCodec },
  { transferSyntaxes: ['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'], load: () => JPEG_LOSSLESS_CODEC },
];

/** Loads every codec of `entries` once, before the first file. */
export async function loadFrameCodecs(entries: readonly CodecEntry[] = LOSSLESS_CODEC_ENTRIES): Promise<FrameCodecs> {
  const codecs = new Map<string, FrameCodec>();
  for (const entry of entries) {
    const codec = await entry.load();
    for (const uid of entry.transferSyntaxes) codecs.set(uid, codec);
  }
  return codecs;
}

/** The codec of a transfer syntax, if we have one. */
export function codecFor(codecs: FrameCodecs, transferSyntaxUid: string): FrameCodec | undefined {
  return codecs.get(transferSyntaxUid);
}
