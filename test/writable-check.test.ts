// A file whose output would copy something DCMTK rejects is refused with the tag and the problem,
// never a value: planFile throws, the batch reports the file failed, the daemon quarantines it.
// The mutation test (writable-outputs.test.ts) finds such files among random ones; these are the
// known kinds, each checked against dcmdump.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processUploadGroup } from '../daemon/process-upload.js';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import type { ElementEdit } from '../src/dicom/edits.js';
import { UnsupportedDicomError, UnwritableDicomError } from '../src/dicom/errors.js';
import { planFile } from '../src/dicom/plan-file.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { CLOSE_ITEM, CLOSE_SEQUENCE, OPEN_ITEM, explicitElement, marker, part10, undefinedHeader } from './helpers/broken-files.js';
import { corpusDir } from './helpers/corpus.js';
import { dcmdumpErrors } from './helpers/dcmdump-meta.js';
import { runCli } from './helpers/run-cli.js';
import { openUploadContext } from './helpers/upload-context.js';

const root = mkdtempSync(path.join(tmpdir(), 'dicom-writable-check-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SECRET_NAME = 'Secretname^Patient';
const IDENTITY = [explicitElement(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'), explicitElement(0x0008, 0x0018, 'UI', '1.2.826.0.1.3680043.10.9999.1')];
const NAME = explicitElement(0x0010, 0x0010, 'PN', SECRET_NAME);
const FRAGMENTS = Buffer.concat([marker(0xe000, 0), marker(0xe000, 4), Buffer.from([1, 2, 3, 4]), CLOSE_SEQUENCE()]);

/** Implicit VR LE: tag, undefined length, one item holding (0010,0020), the delimiters. */
function implicitUndefined(group: number, element: number): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.writeUInt32LE(0xffffffff, 4);
  const patientId = Buffer.from([0x10, 0x00, 0x20, 0x00, 4, 0, 0, 0, 0x41, 0x42, 0x43, 0x44]);
  return Buffer.concat([header, OPEN_ITEM(), patientId, CLOSE_ITEM(), CLOSE_SEQUENCE()]);
}

function implicit(group: number, element: number, value: string): Buffer {
  const bytes = Buffer.from(value.length % 2 === 0 ? value : `${value}\0`, 'latin1');
  const header = Buffer.alloc(8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.writeUInt32LE(bytes.length, 4);
  return Buffer.concat([header, bytes]);
}

function scratch(name: string, bytes: Buffer): string {
  const file = path.join(root, 'in', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

const EDIT_NAME = new Map<Tag, ElementEdit>([[0x00100010, { op: 'set', value: 'ANON' }]]);

const IMPLICIT_IDENTITY = [implicit(0x0008, 0x0016, '1.2.840.10008.5.1.4.1.1.7'), implicit(0x0008, 0x0018, '1.2.826.0.1.3680043.10.9999.2'), implicit(0x0010, 0x0010, SECRET_NAME)];

const refused: readonly (readonly [what: string, bytes: Buffer, tag: string, problem: string])[] = [
  ['OB of undefined length in an unknown even group', part10(Buffer.concat([...IDENTITY, NAME, undefinedHeader(0x4444, 0x0010, 'OB'), FRAGMENTS])), '(4444,0010)', 'encapsulated fragments (undefined length) outside Pixel Data (7FE0,0010)'],
  ['OW of undefined length in an illegal group', part10(Buffer.concat([undefinedHeader(0x0003, 0x1010, 'OW'), FRAGMENTS, ...IDENTITY, NAME])), '(0003,1010)', 'encapsulated fragments (undefined length) outside Pixel Data (7FE0,0010)'],
  ['Overlay Data of undefined length', part10(Buffer.concat([...IDENTITY, NAME, undefinedHeader(0x6000, 0x3000, 'OB'), FRAGMENTS])), '(6000,3000)', 'encapsulated fragments (undefined length) outside Pixel Data (7FE0,0010)'],
  ['a stray Sequence Delimitation Item', part10(Buffer.concat([...IDENTITY, marker(0xe0dd, 0), NAME])), '(FFFE,E0DD)', 'a Sequence Delimitation Item outside any sequence'],
  // Our dictionary reads these as UN, so as sequences; DCMTK's as LO (IllegalPrivateCreator, PrivateCreator).
  ['an undefined length at a creator of an illegal group in Implicit VR', part10(Buffer.concat([implicitUndefined(0x0007, 0x0010), ...IMPLICIT_IDENTITY]), '1.2.840.10008.1.2'), '(0007,0010)', 'an undefined length where an Implicit VR reader expects a private creator (LO)'],
  ['an undefined length at a creator of group FFFF in Implicit VR', part10(Buffer.concat([...IMPLICIT_IDENTITY, implicitUndefined(0xffff, 0x0010)]), '1.2.840.10008.1.2'), '(FFFF,0010)', 'an undefined length where an Implicit VR reader expects a private creator (LO)'],
];

describe('a file whose output DCMTK could not read', () => {
  it.each(refused)('is refused: %s', (what, bytes, tag, problem) => {
    const file = scratch(`${what.replace(/\W+/g, '-')}.dcm`, bytes);
    const parsed = readDicomFile(file);
    let error: unknown;
    try {
      planFile(parsed, EDIT_NAME);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnwritableDicomError);
    expect(error).toBeInstanceOf(UnsupportedDicomError);
    const message = (error as UnsupportedDicomError).message;
    expect(message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Unsupported DICOM: `));
    expect(message).toContain(`${problem}; other readers (DCMTK) reject it, so it is not copied into an output (at ${tag}, byte offset `);
    expect(message).not.toContain('Secretname');
    // The refusal is right: copied as it is, the structure makes dcmdump fail.
    expect(dcmdumpErrors(file).length).toBeGreaterThan(0);
  });

  it('is refused: a corpus file whose (0040,A170) holds text where Implicit VR readers expect a sequence', () => {
    const file = path.join(corpusDir, 'dcm4che_Tag-0040-A170-VR-CS.dcm');
    expect(() => planFile(readDicomFile(file), EDIT_NAME)).toThrow(
      'a value without items where an Implicit VR reader expects a sequence (SQ in the dictionary); other readers (DCMTK) reject it, so it is not copied into an output (at (0040,A170), byte offset',
    );
    expect(dcmdumpErrors(file).length).toBeGreaterThan(0);
  });

  it('is written once an edit removes the element', async () => {
    const file = scratch('removed.dcm', part10(Buffer.concat([...IDENTITY, NAME, undefinedHeader(0x4444, 0x0010, 'OB'), FRAGMENTS])));
    const output = path.join(root, 'removed-out.dcm');
    await writeDicomFile(readDicomFile(file), new Map([...EDIT_NAME, [0x44440010, { op: 'remove' }]]), output);
    expect(dcmdumpErrors(output)).toEqual([]);
  });

  it('is reported failed by a batch, not skipped, with the reason', () => {
    const folder = path.join(root, 'batch-in');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'odd.dcm'), refused[0]?.[1] ?? Buffer.alloc(0));
    const result = runCli(['anonymize', folder, '--out', path.join(root, 'batch-out'), '--keep-private'], { env: { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'a secret for the writable check tests' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${path.join(folder, 'odd.dcm')}: Unsupported DICOM: encapsulated fragments (undefined length) outside Pixel Data (7FE0,0010)`);
    expect(result.stderr).toContain('1 failed');
    expect(result.stderr).not.toContain('skipped');
    expect(readdirSync(path.join(root, 'batch-out'))).toEqual([]);
  });

  it('is failed, to be quarantined, by the daemon', async () => {
    // As a Secondary Capture image without Pixel Data the daemon would wait for the rest of it (a file
    // that cannot be whole); as a non-image object (Standalone Curve, same UID length) it is whole.
    const bytes = Buffer.from(refused[3]?.[1] ?? Buffer.alloc(0));
    bytes.set(Buffer.from('1.2.840.10008.5.1.4.1.1.9'), bytes.indexOf('1.2.840.10008.5.1.4.1.1.7'));
    const upload = scratch('upload.dcm', bytes);
    const keys = new Pseudonymizer(Buffer.from('the writable check daemon secret!', 'utf8'));
    const opened = await openUploadContext({ dataDir: path.join(root, 'daemon-data'), mappingUrl: undefined }, path.dirname(upload), DEFAULT_OPTIONS, keys);
    try {
      let taken = false;
      const take = () => (taken ? undefined : ((taken = true), upload));
      const { outcomes } = await processUploadGroup(take, opened.context, new Set(), { files: 10, bytes: 1 << 30 });
      const outcome = outcomes.get(upload);
      expect(outcome?.kind).toBe('failed');
      expect(outcome?.kind === 'failed' ? outcome.reason : '').toContain('a Sequence Delimitation Item outside any sequence');
    } finally {
      await opened.close();
    }
  });
});

describe('what DCMTK reads, and so is written', () => {
  const kept: readonly (readonly [what: string, bytes: Buffer])[] = [
    ['a stray Item Delimitation Item', part10(Buffer.concat([...IDENTITY, marker(0xe00d, 0), NAME]))],
    ['UN of undefined length holding items (CP-246) in an illegal group', part10(Buffer.concat([undefinedHeader(0x0001, 0x1010, 'UN'), OPEN_ITEM(), Buffer.from([0x10, 0, 0x20, 0, 4, 0, 0, 0]), Buffer.from('ABCD'), CLOSE_ITEM(), CLOSE_SEQUENCE(), ...IDENTITY, NAME]))],
    ['an undefined length at a private data element in Implicit VR', part10(Buffer.concat([...IMPLICIT_IDENTITY, implicitUndefined(0x0011, 0x1010)]), '1.2.840.10008.1.2')],
    ['encapsulated Pixel Data inside an item (Icon Image Sequence)', part10(Buffer.concat([...IDENTITY, NAME, undefinedHeader(0x0088, 0x0200, 'SQ'), OPEN_ITEM(), undefinedHeader(0x7fe0, 0x0010, 'OB'), FRAGMENTS, CLOSE_ITEM(), CLOSE_SEQUENCE()]))],
  ];
  it.each(kept)('%s', async (what, bytes) => {
    const file = scratch(`${what.replace(/\W+/g, '-')}.dcm`, bytes);
    const output = path.join(root, `${what.replace(/\W+/g, '-')}-out.dcm`);
    await writeDicomFile(readDicomFile(file), EDIT_NAME, output);
    expect(dcmdumpErrors(output)).toEqual([]);
  });

  it('a corpus file with encapsulated Pixel Data inside items (fodicom_GH133.dcm)', async () => {
    const output = path.join(root, 'gh133-out.dcm');
    await writeDicomFile(readDicomFile(path.join(corpusDir, 'fodicom_GH133.dcm')), EDIT_NAME, output);
    expect(dcmdumpErrors(output)).toEqual([]);
  });
});
