import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWithDicomParser } from './helpers/dicom-parser-reading.js';
import type { DicomElement } from '../src/dicom/model.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { isPixelDataTag } from '../src/dicom/tag.js';
import { corpusFiles } from './helpers/corpus.js';

// dicom-parser is a second independent reader: where it can parse a file, every element it reports
// must sit at the same value offset with the same length in our walk.

interface Located {
  readonly depth: number;
  readonly tag: number;
  readonly dataOffset: number;
  readonly length: number;
  readonly undefinedLength?: boolean;
}

function ours(elements: readonly DicomElement[], depth = 0): Located[] {
  return elements.flatMap((element) => [
    { depth, tag: element.tag, dataOffset: element.valueOffset, length: element.valueLength, undefinedLength: element.undefinedLength },
    ...(element.items ?? []).flatMap((item) => ours(item.elements, depth + 1)),
  ]);
}

const key = (element: Located) => `${element.depth}:${element.tag.toString(16)}@${element.dataOffset}`;

describe('agreement with dicom-parser', () => {
  const candidates = corpusFiles().filter((file) => !file.transferSyntax.endsWith('.99') && file.dcmdumpOk);
  let compared = 0;

  it.each(candidates)('$name', (file) => {
    const parsed = readDicomFile(file.path);
    let theirs;
    try {
      theirs = parseWithDicomParser(readFileSync(file.path), parsed.layout === 'raw' ? parsed.transferSyntax.uid : undefined);
    } catch {
      return; // dicom-parser cannot read it (see the corpus README); our own tests cover the file.
    }
    compared++;
    const mine = new Map(ours([...parsed.meta, ...parsed.dataSet]).map((element) => [key(element), element]));
    for (const element of theirs) {
      // dicom-parser lists item delimiters as elements and measures undefined lengths its own way;
      // top-level Pixel Data we deliberately do not walk; for a bare data set it invents a
      // Transfer Syntax element that is not in the file (no offset).
      if (element.dataOffset === undefined || element.tag >>> 16 === 0xfffe || isPixelDataTag(element.tag) || element.length === 0xffffffff) continue;
      const match = mine.get(key(element));
      expect(match, `${file.name} ${key(element)}`).toBeDefined();
      if (match && !match.undefinedLength) expect(match.length, `${file.name} ${key(element)} length`).toBe(element.length);
    }
  });

  it('compared most of the corpus', () => {
    expect(compared).toBeGreaterThanOrEqual(40);
  });
});
