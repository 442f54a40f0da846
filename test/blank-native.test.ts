import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nativeBlankPatches } from '../src/pixels/blank-native.js';
import { spansOfRegions, spansOutside, type Corners } from '../src/pixels/blank-spans.js';
import { fillSamples } from '../src/pixels/fill-value.js';
import type { ImagePixels } from '../src/pixels/image-pixels.js';
import type { Region } from '../src/pixels/region-list.js';

// Blanking native pixel data (issue 20, §2–3): each layout's bytes after the patches, checked
// pixel by pixel against the regions computed here on their own: inside only the fill, outside
// every byte as it was.

const image = (overrides: Partial<ImagePixels>): ImagePixels => ({
  rows: 11,
  columns: 13,
  samplesPerPixel: 1,
  bitsAllocated: 8,
  bitsStored: 8,
  signed: false,
  planar: false,
  frames: 1,
  photometric: 'MONOCHROME2',
  paddingValue: undefined,
  ...overrides,
});

const LAYOUTS: readonly [string, ImagePixels, boolean][] = [
  ['8-bit MONOCHROME2', image({}), true],
  ['8-bit, odd length (7 × 5, 3 frames)', image({ rows: 5, columns: 7, frames: 3 }), true],
  ['16-bit signed, 12 stored', image({ bitsAllocated: 16, bitsStored: 12, signed: true }), true],
  ['16-bit MONOCHROME1', image({ bitsAllocated: 16, bitsStored: 16, photometric: 'MONOCHROME1' }), true],
  ['16-bit big endian', image({ bitsAllocated: 16, bitsStored: 10 }), false],
  ['16-bit with Pixel Padding Value', image({ bitsAllocated: 16, bitsStored: 16, signed: true, paddingValue: -2000 }), true],
  ['32-bit', image({ bitsAllocated: 32, bitsStored: 32 }), true],
  ['RGB interleaved, 4 frames', image({ samplesPerPixel: 3, photometric: 'RGB', frames: 4 }), true],
  ['RGB planar, 2 frames', image({ samplesPerPixel: 3, photometric: 'RGB', planar: true, frames: 2 }), true],
  ['YBR_FULL interleaved', image({ samplesPerPixel: 3, photometric: 'YBR_FULL' }), true],
  ['YBR_FULL_422 planar 16-bit', image({ samplesPerPixel: 3, photometric: 'YBR_FULL', planar: true, bitsAllocated: 16, bitsStored: 16 }), true],
];

function apply(pixels: Buffer, patches: ReturnType<typeof nativeBlankPatches>): Buffer {
  const out = Buffer.from(pixels);
  let last = -1;
  for (const patch of patches) {
    expect(patch.offset).toBeGreaterThan(last); // sorted, no two at one place
    expect(patch.offset + patch.bytes.length).toBeLessThanOrEqual(out.length);
    out.set(patch.bytes, patch.offset);
    last = patch.offset;
  }
  return out;
}

function sampleAt(buffer: Buffer, layout: ImagePixels, littleEndian: boolean, frame: number, row: number, column: number, sample: number): number {
  const width = layout.bitsAllocated / 8;
  const pixelIndex = row * layout.columns + column;
  const index = layout.planar ? sample * layout.rows * layout.columns + pixelIndex : pixelIndex * layout.samplesPerPixel + sample;
  const offset = frame * layout.rows * layout.columns * layout.samplesPerPixel * width + index * width;
  if (width === 1) return layout.signed ? buffer.readInt8(offset) : buffer.readUInt8(offset);
  if (width === 2) return layout.signed ? (littleEndian ? buffer.readInt16LE(offset) : buffer.readInt16BE(offset)) : littleEndian ? buffer.readUInt16LE(offset) : buffer.readUInt16BE(offset);
  return littleEndian ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset);
}

/** Checks every sample of every frame: the fill where `blanked` says so, else the original. */
function check(layout: ImagePixels, littleEndian: boolean, blanked: (row: number, column: number) => boolean, patches: ReturnType<typeof nativeBlankPatches>, name: string): void {
  const original = randomBytes(layout.rows * layout.columns * layout.samplesPerPixel * (layout.bitsAllocated / 8) * layout.frames);
  const after = apply(original, patches);
  const fill = fillSamples(layout);
  let inside = 0;
  for (let frame = 0; frame < layout.frames; frame++) {
    for (let row = 0; row < layout.rows; row++) {
      for (let column = 0; column < layout.columns; column++) {
        const blank = blanked(row, column);
        if (blank) inside++;
        for (let sample = 0; sample < layout.samplesPerPixel; sample++) {
          const expected = blank ? fill[sample] : sampleAt(original, layout, littleEndian, frame, row, column, sample);
          const actual = sampleAt(after, layout, littleEndian, frame, row, column, sample);
          if (actual !== expected) expect.fail(`${name}: frame ${frame}, row ${row}, column ${column}, sample ${sample}: ${actual} instead of ${expected}`);
        }
      }
    }
  }
  expect(inside, name).toBeGreaterThan(0);
}

describe('blanking native pixel data', () => {
  // A band across the top, a box cut by the right edge, and one placed from the bottom-right corner.
  const regions: readonly Region[] = [[0, 0, 100, 2], [10, 4, 9, 3], [-4, -3, 2, 2]];
  const inRegions = (layout: ImagePixels) => (row: number, column: number) =>
    regions.some(([x, y, width, height]) => {
      const left = x < 0 ? layout.columns + x : x;
      const top = y < 0 ? layout.rows + y : y;
      return column >= left && column < left + width && row >= top && row < top + height;
    });

  for (const [name, layout, littleEndian] of LAYOUTS) {
    it(`blanks the listed regions in every frame: ${name}`, () => {
      check(layout, littleEndian, inRegions(layout), nativeBlankPatches(layout, spansOfRegions(regions, layout.rows, layout.columns), littleEndian), name);
    });
  }

  it('blanks everything outside the ultrasound regions, which may overlap and reach past the image', () => {
    const keep: readonly Corners[] = [{ minX: 2, minY: 3, maxX: 6, maxY: 8 }, { minX: 5, minY: 5, maxX: 20, maxY: 9 }];
    const kept = (row: number, column: number) => keep.some((region) => column >= region.minX && column <= region.maxX && row >= region.minY && row <= region.maxY);
    for (const [name, layout, littleEndian] of LAYOUTS) check(layout, littleEndian, (row, column) => !kept(row, column), nativeBlankPatches(layout, spansOutside(keep, layout.rows, layout.columns), littleEndian), name);
  });

  it('fills with what displays darkest', () => {
    expect(fillSamples(image({}))).toEqual([0]);
    expect(fillSamples(image({ bitsAllocated: 16, bitsStored: 12, signed: true }))).toEqual([-2048]);
    expect(fillSamples(image({ bitsAllocated: 16, bitsStored: 12, photometric: 'MONOCHROME1' }))).toEqual([4095]);
    expect(fillSamples(image({ bitsAllocated: 16, bitsStored: 12, signed: true, photometric: 'MONOCHROME1' }))).toEqual([2047]);
    expect(fillSamples(image({ paddingValue: -1024, signed: true, bitsAllocated: 16, bitsStored: 16 }))).toEqual([-1024]);
    // Signed pixels with the padding value given as US (as in fodicom_GH177): the same bits.
    expect(fillSamples(image({ paddingValue: 63536, signed: true, bitsAllocated: 16, bitsStored: 16 }))).toEqual([-2000]);
    expect(fillSamples(image({ samplesPerPixel: 3, photometric: 'RGB' }))).toEqual([0, 0, 0]);
    expect(fillSamples(image({ samplesPerPixel: 3, photometric: 'YBR_FULL_422' }))).toEqual([0, 128, 128]);
  });

  it('blanks nothing for a region wholly outside the image', () => {
    expect(spansOfRegions([[20, 0, 5, 5], [0, 30, 5, 5]], 11, 13)).toEqual([]);
  });
});
