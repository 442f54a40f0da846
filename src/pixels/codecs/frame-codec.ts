import type { ImagePixels } from '../image-pixels.js';

/**
 * One decoded frame, as blanking and drawing need it: samples interleaved by pixel (R G B R G B …,
 * whatever the file's Planar Configuration), little-endian, `bitsAllocated / 8` bytes each, rows
 * top to bottom. `photometric` names the colour space of these samples, which can differ from the
 * file's: a JPEG 2000 frame with a colour transform (YBR_RCT, YBR_ICT) decodes to RGB.
 */
export interface DecodedFrame {
  readonly samples: Uint8Array;
  readonly photometric: string;
}

/**
 * What one encapsulated transfer syntax's codec does with one frame (all fragments of a frame
 * joined). `encode` is the inverse of `decode` without loss: it takes samples in the colour space
 * `decode` gave and returns a frame the same syntax's decoders read back to the same samples.
 * A codec without a lossless encoder has no `encode`: its cleaned frames are written in RLE Lossless.
 * Both are synchronous (the pipeline is): a codec module built on WebAssembly exports an async
 * `load…Codec(): Promise<FrameCodec>` that the run awaits once before its first file.
 */
export interface FrameCodec {
  /** For messages: "JPEG-LS", "RLE Lossless", … */
  readonly name: string;
  /** @throws UnsupportedDicomError for a frame it cannot decode (named by what is wrong, never by value). */
  decode(encoded: Uint8Array, image: ImagePixels): DecodedFrame;
  encode?(frame: DecodedFrame, image: ImagePixels): Uint8Array;
}
