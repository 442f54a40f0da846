import { fillSamples, sampleBytes } from './fill-value.js';
import { nativeFrameBytes, type ImagePixels } from './image-pixels.js';
import type { Span } from './blank-spans.js';

/** New bytes over the same number of old ones, at `offset` into the Pixel Data value. */
export interface Patch {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * What blanking `spans` in every frame of native (uncompressed) pixel data writes: one patch per
 * span, frame and (planar data) colour plane, filled with the image's fill value; every other
 * byte stays as it is, so the writer copies it. Sorted by offset.
 */
export function nativeBlankPatches(image: ImagePixels, spans: readonly Span[], littleEndian: boolean): Patch[] {
  const width = (image.bitsAllocated / 8) as 1 | 2 | 4;
  const samples = fillSamples(image).map((value) => sampleBytes(value, width, littleEndian));
  const pixel = Buffer.concat(samples);
  const frameBytes = nativeFrameBytes(image);
  const plane = image.rows * image.columns;
  const filled = new Map<string, Uint8Array>();
  // One buffer per run length and sample: patches of the same width share it.
  const run = (unit: Buffer, key: string, count: number): Uint8Array => {
    const cacheKey = `${key}:${count}`;
    let bytes = filled.get(cacheKey);
    if (bytes === undefined) {
      bytes = Buffer.alloc(unit.length * count);
      for (let at = 0; at < bytes.length; at += unit.length) unit.copy(bytes as Buffer, at);
      filled.set(cacheKey, bytes);
    }
    return bytes;
  };
  const patches: Patch[] = [];
  for (let frame = 0; frame < image.frames; frame++) {
    const frameStart = frame * frameBytes;
    if (!image.planar) {
      for (const span of spans) {
        const offset = frameStart + (span.row * image.columns + span.from) * pixel.length;
        patches.push({ offset, bytes: run(pixel, 'pixel', span.to - span.from) });
      }
      continue;
    }
    samples.forEach((sample, index) => {
      for (const span of spans) {
        const offset = frameStart + (index * plane + span.row * image.columns + span.from) * width;
        patches.push({ offset, bytes: run(sample, `sample${index}`, span.to - span.from) });
      }
    });
  }
  return patches.sort((a, b) => a.offset - b.offset);
}
