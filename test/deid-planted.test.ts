import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { isPixelDataTag } from '../src/dicom/tag.js';
import { writeZip } from '../src/export/zip-export.js';
import { anonymizeFiles, type AnonymizeSummary } from '../src/pipeline/anonymize-files.js';
import { findLeaks, identifyingValues, verifyOutput } from '../src/pipeline/verify.js';
import type { MappingRecord } from '../src/store/mapping-record.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';
import { findPlanted, generatePlantedStudy, type PlantedStudy } from './helpers/planted-study.js';

// End to end on generated studies that plant distinctive identifying values everywhere: top level,
// three sequence levels deep, private blocks and private sequences, file names. No planted value may
// survive anywhere in the output bytes, the ZIP or the names, while Pixel Data stays byte-identical.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-planted-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('planted study secret, 32 bytes!!', 'utf8'));

// The planted studies hold values in the secondary capture device attributes (0018,1012/1016/1018/1019),
// so their images count as at risk of burned-in text: accepted, as this test is about the header.
const PLANTED_OPTIONS: DeidOptions = { ...DEFAULT_OPTIONS, burnedIn: 'accept' };

async function anonymize(inputs: string[], outDir: string, options: DeidOptions = PLANTED_OPTIONS): Promise<{ summary: AnonymizeSummary; records: MappingRecord[] }> {
  const records: MappingRecord[] = [];
  const summary = await anonymizeFiles({ inputs, outDir, run: { options }, keys, batchId: 'test', record: (batch) => records.push(...batch) });
  return { summary, records };
}

/** Everything a reader of the output could see: the file's bytes and, for deflated files, the inflated data set. */
function visibleBytes(file: string): Buffer[] {
  const parsed = readDicomFile(file);
  return [readFileSync(file), ...(parsed.inflated ? [parsed.inflated] : [])];
}

function pixelBytes(file: string): Buffer | undefined {
  const parsed: DicomFile = readDicomFile(file);
  const pixel = parsed.dataSet.find((element) => isPixelDataTag(element.tag));
  return pixel ? readFileSync(file).subarray(pixel.valueOffset, pixel.end) : undefined;
}

describe.each([
  ['dcmqats_1_ELE.dcm', 'ELE'],
  ['dcmqats_2_ILE.dcm', 'ILE'],
  ['dcmqats_3_EBE.dcm', 'EBE'],
  ['dcmqats_5_JPEGLosslessSV1.dcm', 'JPG'],
  ['dicomparser_report_dfl.dcm', 'DFL'],
])('a planted study on %s', (base, seed) => {
  let study: PlantedStudy;
  let summary: AnonymizeSummary;
  let records: MappingRecord[];
  const outDir = path.join(root, `out-${base}`);
  const zip = path.join(root, `${base}.zip`);

  beforeAll(async () => {
    study = await generatePlantedStudy(path.join(root, `in-${base}`), { base, files: 3, seed });
    ({ summary, records } = await anonymize([study.dir], outDir));
    await writeZip(summary.results.flatMap((result) => (result.output ? [{ sourcePath: result.output, name: path.basename(result.output) }] : [])), zip);
  });

  it('anonymizes every file', () => {
    expect(summary.anonymized).toBe(study.files.length);
    expect(summary.failed).toBe(0);
    expect(study.planted.length).toBeGreaterThan(100);
  });

  it('leaves no planted value in any output byte, file name or ZIP entry', () => {
    for (const output of readdirSync(outDir)) {
      for (const bytes of visibleBytes(path.join(outDir, output))) expect(findPlanted(bytes, study.planted).map((value) => `${value.location} ${value.keyword}`)).toEqual([]);
      expect(findPlanted(Buffer.from(output), study.planted)).toEqual([]);
    }
    const listing = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], { encoding: 'utf8' });
    expect(findPlanted(Buffer.from(listing), study.planted)).toEqual([]);
  });

  it('keeps Pixel Data byte-identical, and every output passes dcmdump', () => {
    for (const result of summary.results) {
      expect(pixelBytes(result.output ?? '')?.equals(pixelBytes(result.input) ?? Buffer.alloc(0)) ?? true).toBe(true);
      expect(() => dcmdumpElements(result.output ?? '')).not.toThrow();
    }
  });

  it('passes verify and the leak gate against its originals', () => {
    for (const result of summary.results) {
      expect(verifyOutput(result.output ?? '', DEFAULT_OPTIONS)).toEqual([]);
      expect(findLeaks(result.output ?? '', identifyingValues(result.input, DEFAULT_OPTIONS))).toEqual([]);
    }
  });

  it('records the mapping: original name and patient, pseudonym, lists', () => {
    expect(records).toHaveLength(study.files.length);
    for (const record of records) {
      expect(study.files).toContain(record.originalFilename);
      expect(record.originalPatientId).toBe(study.patientId);
      expect(record.anonymizedPatientId).toMatch(/^ANON-[A-Z2-7]{10}$/);
      expect(record.tagsAnonymized.length).toBeGreaterThan(100);
    }
    expect(new Set(records.map((record) => record.anonymizedPatientId)).size).toBe(1);
  });
});

describe('a study whose files reference each other', () => {
  let study: PlantedStudy;
  const firstRun = path.join(root, 'refs-1');
  const secondRun = path.join(root, 'refs-2');
  let first: AnonymizeSummary;
  let second: AnonymizeSummary;

  beforeAll(async () => {
    study = await generatePlantedStudy(path.join(root, 'refs-in'), { files: 4, seed: 'REF' });
    first = (await anonymize([study.dir], firstRun)).summary;
    second = (await anonymize([...study.files].reverse(), secondRun)).summary;
  });

  function byInput(summary: AnonymizeSummary, input: string): DicomFile {
    const output = summary.results.find((result) => path.resolve(result.input) === path.resolve(input))?.output;
    return readDicomFile(output ?? '');
  }

  it('keeps its internal references pointing at their targets', () => {
    const study0 = textAt(byInput(first, study.files[0] ?? ''), [], 0x0020000d)[0];
    for (let index = 1; index < study.files.length; index++) {
      const current = byInput(first, study.files[index] ?? '');
      const previous = byInput(first, study.files[index - 1] ?? '');
      const target = textAt(previous, [], 0x00080018)[0];
      expect(target).toMatch(/^2\.25\./);
      expect(textAt(current, [{ tag: 0x00081140, item: 0 }], 0x00081155)).toEqual([target]);
      expect(textAt(current, [{ tag: 0x00082112, item: 0 }], 0x00081155)).toEqual([target]);
      expect(textAt(current, [], 0x0020000d)[0]).toBe(study0);
      expect(textAt(current, [], 0x00200052)).toEqual(textAt(previous, [], 0x00200052));
    }
  });

  it('gives the same UIDs, pseudonyms and names in a second, separate run', () => {
    expect(readdirSync(secondRun).sort()).toEqual(readdirSync(firstRun).sort());
    for (const input of study.files) {
      const a = byInput(first, input);
      const b = byInput(second, input);
      for (const tag of [0x00080018, 0x0020000d, 0x0020000e, 0x00200052, 0x00100020, 0x00100010]) expect(textAt(b, [], tag)).toEqual(textAt(a, [], tag));
    }
  });

  it('puts the new SOP Instance UID into the meta header too', () => {
    for (const result of first.results) {
      const file = readDicomFile(result.output ?? '');
      const meta = file.meta.find((element) => element.tag === 0x00020003);
      const bytes = meta && file.fileBytes.slice(meta.valueOffset, meta.valueOffset + meta.valueLength);
      expect(Buffer.from(bytes ?? []).toString('latin1').replace(/\0$/, '')).toBe(textAt(file, [], 0x00080018)[0]);
    }
  });
});
