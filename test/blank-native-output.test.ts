import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { PIXEL_DATA } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { nativeBlankPatches } from '../src/pixels/blank-native.js';
import { spansOfRegions } from '../src/pixels/blank-spans.js';
import { fillSamples } from '../src/pixels/fill-value.js';
import { imagePixelsOf, nativeFrameBytes, type ImagePixels } from '../src/pixels/image-pixels.js';
import type { Region } from '../src/pixels/region-list.js';
import { corpusFiles } from './helpers/corpus.js';
import { dcmtkPixels, sampleAt } from './helpers/dcmtk-pixels.js';

// Native pixel data blanked through the writer (issue 20, §3), read back by DCMTK: dcmdump +W
// writes each file's pixel data as DCMTK decodes it, and every sample is compared, the fill
// inside the regions and the original outside.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-blank-output-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Native corpus images whose layout blanking takes (not encapsulated, not deflated: those come later). */
function nativeImages(): { name: string; path: string; file: DicomFile; image: ImagePixels }[] {
  const found = [];
  for (const entry of corpusFiles().filter((candidate) => candidate.dcmdumpOk)) {
    let file: DicomFile;
    let image: ImagePixels;
    try {
      file = readDicomFile(entry.path);
      if (file.transferSyntax.encapsulated || file.transferSyntax.deflated || !file.dataSet.some((element) => element.tag === PIXEL_DATA)) continue;
      image = imagePixelsOf(file);
    } catch {
      continue;
    }
    found.push({ name: entry.name, path: entry.path, file, image });
  }
  return found;
}

describe('native pixel data blanked through the writer', () => {
  // A header band, a box from the bottom-right corner, and one that reaches past the right edge.
  const regions: readonly Region[] = [[0, 0, 10_000, 12], [-40, -30, 25, 20], [30, 40, 10_000, 6]];

  it('holds only the fill inside the regions and every original sample outside, in every frame, as DCMTK reads it', async () => {
    const images = nativeImages();
    expect(images.map((image) => image.name)).toEqual(expect.arrayContaining(['dcmqats_1_ELE.dcm', 'dcmqats_2_ILE.dcm', 'dcmqats_3_EBE.dcm']));
    for (const { name, path: source, file, image } of images) {
      const spans = spansOfRegions(regions, image.rows, image.columns);
      const patches = nativeBlankPatches(image, spans, file.transferSyntax.littleEndian);
      const output = path.join(root, `${name}.out.dcm`);
      await writeDicomFile(file, new Map([[PIXEL_DATA, { op: 'patch' as const, patches }]]), output);
      const bytes = nativeFrameBytes(image) * image.frames;
      const before = dcmtkPixels(source, bytes);
      const after = dcmtkPixels(output, bytes);
      const fill = fillSamples(image);
      const inside = new Set(spans.flatMap((span) => Array.from({ length: span.to - span.from }, (_, offset) => span.row * image.columns + span.from + offset)));
      const perFrame = image.rows * image.columns;
      for (let frame = 0; frame < image.frames; frame++) {
        for (let pixel = 0; pixel < perFrame; pixel++) {
          for (let s = 0; s < image.samplesPerPixel; s++) {
            const index = frame * perFrame * image.samplesPerPixel + (image.planar ? s * perFrame + pixel : pixel * image.samplesPerPixel + s);
            const expected = inside.has(pixel) ? fill[s] : sampleAt(before, image, index);
            const actual = sampleAt(after, image, index);
            if (actual !== expected) expect.fail(`${name}: frame ${frame}, pixel ${pixel}, sample ${s}: ${actual} instead of ${expected}`);
          }
        }
      }
      // The data set up to Pixel Data is the source's, byte for byte (the meta header is rebuilt on any edit).
      const pixelsOf = (dicom: DicomFile) => dicom.dataSet.find((candidate) => candidate.tag === PIXEL_DATA)?.valueOffset ?? 0;
      const out = readDicomFile(output);
      const [original, written] = [readFileSync(source), readFileSync(output)];
      expect(written.subarray(out.dataSetStart, pixelsOf(out)).equals(original.subarray(file.dataSetStart, pixelsOf(file))), name).toBe(true);
    }
  });

  it('refuses patches out of order or past the value, naming the tag', async () => {
    const file = readDicomFile(corpusFiles().find((entry) => entry.name === 'dcmqats_1_ELE.dcm')?.path ?? '');
    const bad = [{ offset: 10, bytes: new Uint8Array(4) }, { offset: 12, bytes: new Uint8Array(2) }];
    await expect(writeDicomFile(file, new Map([[PIXEL_DATA, { op: 'patch' as const, patches: bad }]]), path.join(root, 'bad.dcm'))).rejects.toThrow(/patches must be sorted, apart and inside the value/);
  });
});
