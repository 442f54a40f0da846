import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { corpusFiles } from './helpers/corpus.js';

const out = mkdtempSync(path.join(tmpdir(), 'dicom-roundtrip-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// Every corpus file dcmdump can read must come back byte for byte when written with no edits.
// Deliberate normalisations happen only when something is edited (see edit.test.ts), so none apply here.
const readable = corpusFiles().filter((file) => file.dcmdumpOk);

describe('round trip without edits', () => {
  it('covers the corpus', () => {
    expect(readable.length).toBeGreaterThanOrEqual(50);
  });

  for (const file of readable) {
    it(`${file.name} is written back identical`, async () => {
      // A small first read forces the reader to grow its window and to leave Pixel Data on disk.
      const parsed = readDicomFile(file.path, { initialChunk: 2048 });
      const target = path.join(out, file.name);
      const plan = await writeDicomFile(parsed, new Map(), target);
      expect(plan.normalisations).toEqual([]);
      expect(readFileSync(target).equals(readFileSync(file.path))).toBe(true);
    });
  }

  it('also reads files dcmdump rejects but that are well-formed for us (retired VR conflict, DICM by accident)', async () => {
    for (const name of ['dcm4che_Tag-0040-A170-VR-CS.dcm', 'dcm4che_no_preamble_dicm_in_data.dcm']) {
      const source = corpusFiles().find((file) => file.name === name);
      expect(source).toBeDefined();
      const parsed = readDicomFile(source?.path ?? '');
      const target = path.join(out, name);
      await writeDicomFile(parsed, new Map(), target);
      expect(readFileSync(target).equals(readFileSync(source?.path ?? ''))).toBe(true);
    }
  });
});
