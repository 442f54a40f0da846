import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElementEdit, NewElement } from '../src/dicom/edits.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import type { Vr } from '../src/dicom/vr.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { BEYOND_TABLE_ROWS } from '../src/deid/beyond-table.js';
import { corpusDir, referenceDir } from './helpers/corpus.js';
import { dcmdumpElements, type DumpedElement } from './helpers/dcmdump-elements.js';
import { runCli } from './helpers/run-cli.js';
import { visible } from './helpers/visible-bytes.js';

// Issue 22: the patient's name, ID and birth date (in three notations) planted into every standard
// text attribute that PS3.15 Table E.1-1 does not list — at the top level and two items deep in
// sequences the table does not list either (so their items are kept as the top level is) — plus the
// person names and patient dates the table misses. After anonymize none may survive, with the
// default options and with the research preset; the same attributes holding clinical text must
// come through byte for byte. The attribute lists come from the shared reference TSVs, not from
// our generated tables.

const FAMILY = 'Zimmerbrink';
const GIVEN = 'Hedwig';
const PATIENT_ID = 'PID90817';
const BIRTH_DATE = '19610317';
const BIRTH_NOTATIONS = ['17.03.1961', '1961-03-17', '19610317'];
const NEEDLES = [FAMILY, GIVEN, PATIENT_ID, ...BIRTH_NOTATIONS];

const OUTER: Tag = 0x00209221; // DimensionOrganizationSequence: not in the table
const INNER: Tag = 0x00209222; // DimensionIndexSequence: not in the table

const MAX_LENGTH: Readonly<Record<string, number>> = { SH: 16, LO: 64 };

interface Plant {
  readonly tag: Tag;
  readonly keyword: string;
  readonly vr: Vr;
  readonly retired: boolean;
}

function readTsv(file: string): string[][] {
  return readFileSync(path.join(referenceDir, file), 'utf8').split('\n').slice(1).filter((line) => line !== '').map((line) => line.split('\t'));
}

/** Every standard LO, LT, SH, ST, UT, UC attribute the table does not list (not meta, not DICOMDIR records). */
function unlistedTextAttributes(): Plant[] {
  const listed = new Set(readTsv('ps3.15-table-e.1-1.tsv').map(([tag = '']) => tag.toLowerCase()));
  return readTsv('dictionary.tsv').flatMap(([tag = '', keyword = '', , vr = '', , retired = '']) => {
    if (!/^[0-9a-f]{8}$/i.test(tag) || listed.has(tag.toLowerCase())) return [];
    if (/^(0000|0002|0004|fffe)/i.test(tag) || !['LO', 'LT', 'SH', 'ST', 'UT', 'UC'].includes(vr)) return [];
    return [{ tag: Number.parseInt(tag, 16) >>> 0, keyword, vr: vr as Vr, retired: retired === 'Y' }];
  });
}

/** A value that carries identity and fits the VR: short VRs get one needle each, in turn. */
function identifyingText(vr: Vr, index: number): string {
  const all = `Befund ${FAMILY} ${GIVEN} ${PATIENT_ID} geb. ${BIRTH_NOTATIONS.join(' / ')}`;
  const max = MAX_LENGTH[vr];
  if (max === undefined) return all;
  const pick = NEEDLES[index % NEEDLES.length] as string;
  return max >= 40 ? `Befund ${FAMILY} ${GIVEN} ${PATIENT_ID} ${BIRTH_NOTATIONS[index % 3]}` : `Bef ${pick}`.slice(0, max);
}

/** Clinical text of the same shape with no needle inside. */
function clinicalText(vr: Vr, index: number): string {
  const text = `Thorax followup ${index} mm, contrast phase venous`;
  return text.slice(0, MAX_LENGTH[vr] ?? text.length);
}

const PATIENT_PLANTS: readonly NewElement[] = [
  { tag: 0x00100010, vr: 'PN', value: `${FAMILY}^${GIVEN}` },
  { tag: 0x00100020, vr: 'LO', value: PATIENT_ID },
  { tag: 0x00100030, vr: 'DA', value: BIRTH_DATE },
];

/** Point 1: names and patient dates the table misses (beyond-table.ts). */
const BEYOND_TABLE: readonly NewElement[] = [
  { tag: 0x00140104, vr: 'PN', value: `${FAMILY}^${GIVEN}` }, // SecondaryReviewerName
  { tag: 0x00142006, vr: 'PN', value: `Dr. ${FAMILY}` }, // EvaluatorName
  { tag: 0x00100033, vr: 'LO', value: '1340/12/26' }, // PatientBirthDateInAlternativeCalendar
  { tag: 0x00100034, vr: 'LO', value: '1410/02/03' }, // PatientDeathDateInAlternativeCalendar
];
const BEYOND_TABLE_TAGS = new Set(BEYOND_TABLE.map((element) => element.tag));
const TREATED_BEYOND_TABLE = new Set(BEYOND_TABLE_ROWS.map((row) => row.tag));

async function plantedFile(file: string, plants: readonly Plant[], text: (vr: Vr, index: number) => string, withBeyond: boolean): Promise<void> {
  const base = readDicomFile(path.join(corpusDir, 'dicomparser_CT0012.not_fragmented_bot_rle.dcm'));
  // With identity, the beyond-table rows hold their own values; with clinical text, none of the rows we
  // treat beyond the table is planted: they are not kept whatever they hold.
  const left = withBeyond ? BEYOND_TABLE_TAGS : TREATED_BEYOND_TABLE;
  const elements = plants.filter((plant) => !left.has(plant.tag)).map((plant, index): NewElement => ({ tag: plant.tag, vr: plant.vr, value: text(plant.vr, index) }));
  const beyond = withBeyond ? BEYOND_TABLE : [];
  const nested: NewElement = { tag: OUTER, vr: 'SQ', value: { items: [[{ tag: INNER, vr: 'SQ', value: { items: [[...elements, ...beyond]] } }]] } };
  const edits = new Map<Tag, ElementEdit>();
  for (const element of [...PATIENT_PLANTS, ...elements, ...beyond, nested]) edits.set(element.tag, { op: 'set', vr: element.vr, value: element.value } as ElementEdit);
  await writeDicomFile(base, edits, file);
}

const root = mkdtempSync(path.join(tmpdir(), 'dicom-beyond-table-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'beyond the table secret 0123456789' };

function anonymize(input: string, name: string, extra: readonly string[] = []): string {
  const out = path.join(root, name);
  // Every unlisted text attribute is planted, the secondary capture device's among them, so the image
  // counts as at risk of burned-in text: accepted, as this test is about the header.
  const result = runCli(['anonymize', input, '--out', out, '--burned-in', 'accept', ...extra], { env });
  expect(result.status, result.stderr).toBe(0);
  const [output] = readdirSync(out);
  return path.join(out, output as string);
}

const at = (elements: readonly DumpedElement[], tag: Tag, depth: number) => elements.find((element) => element.tag === tag && element.depth === depth);

describe('identity outside Table E.1-1', () => {
  const plants = unlistedTextAttributes();
  const identifying = path.join(root, 'identifying.dcm');
  const clinical = path.join(root, 'clinical.dcm');

  beforeAll(async () => {
    mkdirSync(root, { recursive: true });
    await plantedFile(identifying, plants, identifyingText, true);
    await plantedFile(clinical, plants, clinicalText, false);
  });

  it('plants every unlisted text attribute at both depths, and dcmdump reads the planted file', () => {
    expect(plants.length).toBeGreaterThanOrEqual(407);
    const dumped = dcmdumpElements(identifying);
    for (const plant of plants) {
      expect(at(dumped, plant.tag, 0), plant.keyword).toBeDefined();
      expect(at(dumped, plant.tag, 2), plant.keyword).toBeDefined();
    }
  });

  for (const [preset, flags] of [['default options', []], ['the research preset', ['--profile', 'research']]] as const) {
    it(`leaves none of the patient's name, ID and birth date in any of them (${preset}), by bytes and by dcmdump`, () => {
      const output = anonymize(identifying, `identifying-${flags.length}`, flags);
      const bytes = visible(output);
      const survivors = NEEDLES.filter((needle) => bytes.includes(Buffer.from(needle, 'latin1')));
      expect(survivors).toEqual([]);
      const dumped = dcmdumpElements(output);
      const leaking = dumped.filter((element) => NEEDLES.some((needle) => element.value.includes(needle)));
      expect(leaking.map((element) => `(${element.tag.toString(16)}) depth ${element.depth}`)).toEqual([]);
      // The alternative-calendar dates are removed, the unlisted names emptied, at both depths.
      for (const depth of [0, 2]) {
        expect(at(dumped, 0x00100033, depth)).toBeUndefined();
        expect(at(dumped, 0x00100034, depth)).toBeUndefined();
        expect(at(dumped, 0x00140104, depth)?.value).toBe('');
        expect(at(dumped, 0x00142006, depth)?.value).toBe('');
      }
      // Cut, not dropped: the clinical words around a needle stay.
      expect(at(dumped, 0x00420010, 0)?.value).toMatch(/^Befund \[removed\]/); // DocumentTitle
    });

    it(`keeps the same attributes byte for byte when they hold clinical text (${preset})`, () => {
      const output = anonymize(clinical, `clinical-${flags.length}`, flags);
      const before = dcmdumpElements(clinical);
      const after = dcmdumpElements(output);
      const changed = plants.filter((plant) => !TREATED_BEYOND_TABLE.has(plant.tag)).flatMap((plant) =>
        [0, 2].flatMap((depth) => (at(before, plant.tag, depth)?.value === at(after, plant.tag, depth)?.value ? [] : [`${plant.keyword} depth ${depth}: ${at(after, plant.tag, depth)?.value ?? 'gone'}`])),
      );
      // Our own marker: De-identification Method (0012,0063) at the top level says how the file was made.
      expect(changed.filter((entry) => !entry.startsWith('DeidentificationMethod depth 0:'))).toEqual([]);
    });
  }
});

describe('the leak gate looks inside text (verify --against)', () => {
  const plants = unlistedTextAttributes();
  const input = path.join(root, 'gate-in', 'report.dcm');
  let output: string;

  beforeAll(async () => {
    mkdirSync(path.dirname(input), { recursive: true });
    await plantedFile(input, plants, identifyingText, true);
    output = anonymize(input, 'gate-out');
  });

  it('passes the real output (but for its pixels, accepted as they are)', () => {
    const result = runCli(['verify', path.dirname(output), '--against', path.dirname(input)], { env });
    // The only finding is the one --burned-in accept asks for: an at-risk image passed uncleaned.
    expect(result.stdout).toMatch(/^[^\n]+: pixels-not-cleaned: may carry burned-in text \([^)]*\) and its pixels were not cleaned[^\n]*\n$/);
    expect(result.stderr).toContain('1 finding');
  });

  for (const [what, title] of [['a name', `Befund ${FAMILY}`], ['the birth date in another notation', 'Befund geb. 17.03.1961'], ['the patient ID', `Befund ${PATIENT_ID} re`]] as const) {
    it(`flags an output whose Document Title still holds ${what}, without printing it`, async () => {
      const folder = path.join(root, `gate-leaky-${what.length}`);
      mkdirSync(folder);
      const leaky = path.join(folder, path.basename(output));
      await writeDicomFile(readDicomFile(output), new Map<Tag, ElementEdit>([[0x00420010, { op: 'set', vr: 'ST', value: title }]]), leaky);
      const result = runCli(['verify', folder, '--against', path.dirname(input)], { env });
      expect(result.status).toBe(1);
      expect(result.stdout + result.stderr).toMatch(/\(0042,0010\) DocumentTitle holds an identifying value/);
      for (const needle of NEEDLES) expect(result.stdout + result.stderr).not.toContain(needle);
    });
  }
});

describe('an encapsulated document (0042,0011)', () => {
  const reportPdf = (name: string) => {
    // A one-page PDF naming the patient: what a scanned or exported report holds.
    const stream = `BT /F1 12 Tf 72 720 Td (Befund ${name} geb. 17.03.1961) Tj ET`;
    const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>', `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
    let text = '%PDF-1.4\n';
    const offsets = objects.map((body, index) => {
      const at = text.length;
      text += `${index + 1} 0 obj\n${body}\nendobj\n`;
      return at;
    });
    const xref = text.length;
    text += `xref\n0 6\n0000000000 65535 f \n${offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return Buffer.from(text, 'latin1');
  };

  async function encapsulated(file: string, mime: string, document: Buffer): Promise<void> {
    const base = readDicomFile(path.join(corpusDir, 'dicomparser_CT0012.not_fragmented_bot_rle.dcm'));
    const padded = Buffer.concat([document, Buffer.alloc(document.length % 2)]);
    const edits = new Map<Tag, ElementEdit>([
      [0x00080016, { op: 'set', vr: 'UI', value: mime === 'application/pdf' ? '1.2.840.10008.5.1.4.1.1.104.1' : '1.2.840.10008.5.1.4.1.1.104.2' }],
      [0x00100010, { op: 'set', vr: 'PN', value: `${FAMILY}^${GIVEN}` }],
      [0x00100020, { op: 'set', vr: 'LO', value: PATIENT_ID }],
      [0x00100030, { op: 'set', vr: 'DA', value: BIRTH_DATE }],
      [0x00420010, { op: 'set', vr: 'ST', value: `Befund ${FAMILY}` }],
      [0x00420011, { op: 'set', vr: 'OB', value: new Uint8Array(padded) }],
      [0x00420012, { op: 'set', vr: 'LO', value: mime }],
      [0x00420015, { op: 'set', vr: 'UL', value: document.length }],
      [0x7fe00010, { op: 'remove' }],
    ]);
    await writeDicomFile(base, edits, file);
  }

  /** The document an output holds, cut to its Encapsulated Document Length, per dcmdump's reading of that length. */
  function documentOf(output: string): Buffer {
    const file = readDicomFile(output);
    const element = file.dataSet.find((candidate) => candidate.tag === 0x00420011);
    const length = Number(dcmdumpElements(output).find((candidate) => candidate.tag === 0x00420015)?.value);
    expect(element).toBeDefined();
    return readFileSync(output).subarray(element!.valueOffset, element!.valueOffset + length);
  }

  it('becomes a PDF that opens, says it was removed and names no one; its title is cut and its length told', async () => {
    const input = path.join(root, 'report-in', 'report.dcm');
    mkdirSync(path.dirname(input), { recursive: true });
    await encapsulated(input, 'application/pdf', reportPdf(FAMILY));
    const check = path.join(root, 'report-in.pdf');
    writeFileSync(check, reportPdf(FAMILY));
    expect(spawnSync('pdftotext', [check, '-'], { encoding: 'utf8' }).stdout).toContain(FAMILY); // the check can see a name
    const output = anonymize(input, 'report-out');
    const pdf = path.join(root, 'report-out.pdf');
    writeFileSync(pdf, documentOf(output));
    const info = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info.stderr).toBe('');
    expect(info.stdout).toMatch(/^Pages:\s+1$/m);
    const text = spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    expect(text.stdout).toContain('This document was removed during de-identification.');
    for (const needle of NEEDLES) expect(visible(output).includes(Buffer.from(needle, 'latin1')), needle).toBe(false);
    expect(dcmdumpElements(output).find((element) => element.tag === 0x00420010)?.value).toBe('Befund [removed]');
  });

  it('becomes a CDA that parses, of the same kind, for an encapsulated CDA', async () => {
    const input = path.join(root, 'cda-in', 'cda.dcm');
    mkdirSync(path.dirname(input), { recursive: true });
    await encapsulated(input, 'text/XML', Buffer.from(`<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"><title>Befund ${FAMILY}</title></ClinicalDocument>`));
    const output = anonymize(input, 'cda-out');
    const xml = path.join(root, 'cda-out.xml');
    writeFileSync(xml, documentOf(output));
    const parsed = spawnSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.tag); print(r.find("{urn:hl7-org:v3}title").text)', xml], { encoding: 'utf8' });
    expect(parsed.stderr).toBe('');
    expect(parsed.stdout).toBe('{urn:hl7-org:v3}ClinicalDocument\nThis document was removed during de-identification.\n');
    for (const needle of NEEDLES) expect(visible(output).includes(Buffer.from(needle, 'latin1')), needle).toBe(false);
  });
});
