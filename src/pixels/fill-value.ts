import type { ImagePixels } from './image-pixels.js';

/**
 * The stored sample values a blanked pixel gets: what displays darkest. MONOCHROME2: the lowest
 * value (signed data too), MONOCHROME1 (inverted): the highest; Pixel Padding Value where the
 * image has one (it already means "no image here"); RGB: black; YBR: Y = 0 and Cb = Cr = the
 * middle (black without a colour cast). Other photometric interpretations (PALETTE COLOR) take 0.
 */
export function fillSamples(image: ImagePixels): readonly number[] {
  const { bitsStored, signed, samplesPerPixel, photometric } = image;
  if (samplesPerPixel === 1) {
    if (image.paddingValue !== undefined) return [asStored(image.paddingValue, image)];
    const lowest = signed ? -(2 ** (bitsStored - 1)) : 0;
    const highest = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
    return [photometric === 'MONOCHROME1' ? highest : lowest];
  }
  const middle = 2 ** (bitsStored - 1);
  return photometric.startsWith('YBR') ? [0, middle, middle] : [0, 0, 0];
}

/** A sample value as stored: `bytes` wide in the file's byte order, negative values in two's complement. */
export function sampleBytes(value: number, bytes: 1 | 2 | 4, littleEndian: boolean): Buffer {
  const out = Buffer.alloc(bytes);
  const unsigned = value < 0 ? value + 2 ** (8 * bytes) : value;
  if (bytes === 1) out.writeUInt8(unsigned & 0xff);
  else if (bytes === 2) (littleEndian ? out.writeUInt16LE(unsigned & 0xffff) : out.writeUInt16BE(unsigned & 0xffff));
  else littleEndian ? out.writeUInt32LE(unsigned >>> 0) : out.writeUInt32BE(unsigned >>> 0);
  return out;
}

/**
 * A Pixel Padding Value as the image's samples read: files with signed pixels may still give it as
 * US (63536 for -2000), which is the same bits.
 */
function asStored(value: number, image: ImagePixels): number {
  const range = 2 ** image.bitsAllocated;
  return image.signed && value >= range / 2 ? value - range : value;
}
