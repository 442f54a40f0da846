import type { DecodedFrame } from './codecs/frame-codec.js';
import type { Span } from './blank-spans.js';
import { fillSamples, sampleBytes } from './fill-value.js';
import type { ImagePixels } from './image-pixels.js';

/**
 * A copy of a decoded frame with `spans` filled as cleaning fills them: the fill value of the
 * frame's own colour space (a JPEG 2000 frame decoded to RGB is filled black in RGB).
 */
export function blankedFrame(frame: DecodedFrame, image: ImagePixels, spans: readonly Span[]): DecodedFrame {
  const width = (image.bitsAllocated / 8) as 1 | 2 | 4;
  const pixel = Buffer.concat(fillSamples({ ...image, photometric: frame.photometric }).map((value) => sampleBytes(value, width, true)));
  const samples = new Uint8Array(frame.samples);
  for (const span of spans) {
    for (let column = span.from; column < span.to; column++) samples.set(pixel, (span.row * image.columns + column) * pixel.length);
  }
  return { samples, photometric: frame.photometric };
}
