import { describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { imagePixelsOf } from '../src/pixels/image-pixels.js';
import { corpusFiles } from './helpers/corpus.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';

// The pixel layout blanking works from, read from every corpus image and checked against DCMTK.

describe('the pixel layout of an image', () => {
  it('agrees with DCMTK on every corpus image', () => {
    let images = 0;
    let refused = 0;
    for (const file of corpusFiles().filter((entry) => entry.dcmdumpOk)) {
      const top = dcmdumpElements(file.path).filter((element) => element.depth === 0);
      const value = (tag: number) => top.find((element) => element.tag === tag)?.value;
      if (!top.some((element) => element.tag === 0x7fe00010) || value(0x00280010) === undefined || value(0x00280100) === '1') continue;
      if (value(0x00280002) === undefined || !['8', '16', '32'].includes(value(0x00280100) ?? '')) {
        // An old ACR-NEMA layout (no Samples per Pixel, 12 bits allocated): refused, not guessed.
        expect(() => imagePixelsOf(readDicomFile(file.path)), file.name).toThrow(/cannot be blanked/);
        refused++;
        continue;
      }
      let ours;
      try {
        ours = imagePixelsOf(readDicomFile(file.path));
      } catch (error) {
        expect.fail(`${file.name}: ${(error as Error).message}`);
      }
      expect(ours.rows, file.name).toBe(Number(value(0x00280010)));
      expect(ours.columns, file.name).toBe(Number(value(0x00280011)));
      expect(ours.samplesPerPixel, file.name).toBe(Number(value(0x00280002)));
      expect(ours.bitsAllocated, file.name).toBe(Number(value(0x00280100)));
      expect(ours.bitsStored, file.name).toBe(Number(value(0x00280101) ?? value(0x00280100)));
      expect(ours.signed, file.name).toBe(value(0x00280103) === '1');
      expect(ours.frames, file.name).toBe(Number(value(0x00280008) ?? 1));
      expect(ours.photometric, file.name).toBe(value(0x00280004));
      expect(ours.planar, file.name).toBe(ours.samplesPerPixel === 3 && value(0x00280006) === '1');
      images++;
    }
    expect(images).toBeGreaterThan(25);
    expect(refused).toBeGreaterThan(0);
  });
});
