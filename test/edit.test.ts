import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addEdit, type ElementEdit, type PathStep } from '../src/dicom/edits.js';
import { textAt } from '../src/dicom/element-access.js';
import type { DicomElement } from '../src/dicom/model.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { isPixelDataTag, type Tag } from '../src/dicom/tag.js';
import { STRING_VRS } from '../src/dicom/vr.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { corpusFiles } from './helpers/corpus.js';
import { dcmdumpElements, type DumpedElement } from './helpers/dcmdump-elements.js';

const out = mkdtempSync(path.join(tmpdir(), 'dicom-edit-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const REQUEST_ATTRIBUTES = 0x00400275;
const SCHEDULED_PROTOCOL_CODES = 0x00400008;
const PROTOCOL_CONTEXT = 0x00400440;
const DEEP: readonly PathStep[] = [
  { tag: REQUEST_ATTRIBUTES, item: 0 },
  { tag: SCHEDULED_PROTOCOL_CODES, item: 0 },
  { tag: PROTOCOL_CONTEXT, item: 0 },
];
const TEXT_VALUE = 0x0040a160;
const CODE_MEANING = 0x00080104;
const CODE_VALUE = 0x00080100;
const CODING_SCHEME = 0x00080102;
const PATIENT_IDENTITY_REMOVED = 0x00120062;

/** Top-level string elements we may edit without changing how the file is read. */
function editableTopLevel(file: DicomFile): DicomElement[] {
  return file.dataSet.filter(
    (element) => STRING_VRS.has(element.vr) && element.vr !== 'UI' && element.tag >>> 16 >= 0x0008 && element.tag !== 0x00080005 && element.tag !== PATIENT_IDENTITY_REMOVED && (element.tag & 0xffff) !== 0,
  );
}

// One file per transfer syntax in the corpus (dcmdump-readable ones, 'none' = bare ACR-NEMA data set),
// the first that has three top-level string elements to replace, empty and remove.
const perSyntax = [
  ...new Map(
    corpusFiles()
      .filter((file) => file.dcmdumpOk && editableTopLevel(readDicomFile(file.path)).length >= 3)
      .reverse()
      .map((file) => [file.transferSyntax, file]),
  ).values(),
];

function pixelBytes(filePath: string): Buffer | undefined {
  const file = readDicomFile(filePath);
  const pixel = file.dataSet.find((element) => isPixelDataTag(element.tag));
  if (!pixel) return undefined;
  const fd = openSync(filePath, 'r');
  try {
    const bytes = Buffer.alloc(pixel.end - pixel.valueOffset);
    readSync(fd, bytes, 0, bytes.length, file.transferSyntax.deflated ? 0 : pixel.valueOffset);
    return file.transferSyntax.deflated ? file.inflated?.subarray(pixel.valueOffset, pixel.end) : bytes;
  } finally {
    closeSync(fd);
  }
}

const DEEP_TAGS = DEEP.map((step) => step.tag);

/** Elements of the dump at the top level (depth 0) or in the three-level structure we add (depth 3). */
function dumped(elements: readonly DumpedElement[], depth: 0 | 3, tag: Tag): DumpedElement[] {
  const trail = depth === 0 ? [] : DEEP_TAGS;
  return elements.filter((element) => element.tag === tag && element.path.join() === trail.join());
}

describe.each(perSyntax)('editing $transferSyntax ($name)', (source) => {
  const first = path.join(out, `top-${source.name}`);
  const second = path.join(out, `deep-${source.name}`);
  let chosen: DicomElement[] = [];

  it('replaces, empties, removes and adds at top level and adds a sequence three levels deep', async () => {
    const file = readDicomFile(source.path);
    chosen = editableTopLevel(file).slice(0, 3);
    expect(chosen.length).toBe(3);
    const [replaced, emptied, removed] = chosen as [DicomElement, DicomElement, DicomElement];
    const edits = new Map<Tag, ElementEdit>([
      [replaced.tag, { op: 'set', value: 'REPLACED' }],
      [emptied.tag, { op: 'set', value: '' }],
      [removed.tag, { op: 'remove' }],
      [PATIENT_IDENTITY_REMOVED, { op: 'set', value: 'YES' }],
      [
        REQUEST_ATTRIBUTES,
        {
          op: 'set',
          value: {
            items: [[{ tag: SCHEDULED_PROTOCOL_CODES, value: { items: [[{ tag: PROTOCOL_CONTEXT, value: { items: [[
              { tag: TEXT_VALUE, value: 'DEEP TEXT' },
              { tag: CODE_MEANING, value: 'TO EMPTY' },
              { tag: CODE_VALUE, value: 'TO REMOVE' },
            ]] } }]] } }]],
          },
        },
      ],
    ]);
    await writeDicomFile(file, edits, first);

    const back = readDicomFile(first);
    expect(textAt(back, [], replaced.tag)).toEqual(['REPLACED']);
    expect(textAt(back, [], emptied.tag)).toEqual([]);
    expect(back.dataSet.some((element) => element.tag === emptied.tag)).toBe(true);
    expect(back.dataSet.some((element) => element.tag === removed.tag)).toBe(false);
    expect(textAt(back, [], PATIENT_IDENTITY_REMOVED)).toEqual(['YES']);
    expect(textAt(back, DEEP, TEXT_VALUE)).toEqual(['DEEP TEXT']);

    const dump = dcmdumpElements(first);
    expect(dumped(dump, 0, replaced.tag).map((element) => element.value)).toEqual(['REPLACED']);
    expect(dumped(dump, 0, emptied.tag).map((element) => element.value)).toEqual(['']);
    expect(dumped(dump, 0, removed.tag)).toEqual([]);
    expect(dumped(dump, 0, PATIENT_IDENTITY_REMOVED).map((element) => element.value)).toEqual(['YES']);
    expect(dumped(dump, 3, TEXT_VALUE).map((element) => element.value)).toEqual(['DEEP TEXT']);
    expect(pixelBytes(first)?.equals(pixelBytes(source.path) ?? Buffer.alloc(0)) ?? true).toBe(true);
  });

  it('replaces, empties, removes and adds three sequence levels deep', async () => {
    const file = readDicomFile(first);
    const edits = new Map<Tag, ElementEdit>();
    addEdit(edits, DEEP, TEXT_VALUE, { op: 'set', value: 'DEEP REPLACED, A LONGER VALUE' });
    addEdit(edits, DEEP, CODE_MEANING, { op: 'set', value: '' });
    addEdit(edits, DEEP, CODE_VALUE, { op: 'remove' });
    addEdit(edits, DEEP, CODING_SCHEME, { op: 'set', value: 'DCM' });
    await writeDicomFile(file, edits, second);

    const back = readDicomFile(second);
    expect(textAt(back, DEEP, TEXT_VALUE)).toEqual(['DEEP REPLACED, A LONGER VALUE']);
    expect(textAt(back, DEEP, CODE_MEANING)).toEqual([]);
    expect(textAt(back, DEEP, CODING_SCHEME)).toEqual(['DCM']);
    expect(textAt(back, [], PATIENT_IDENTITY_REMOVED)).toEqual(['YES']);

    const dump = dcmdumpElements(second);
    expect(dumped(dump, 3, TEXT_VALUE).map((element) => element.value)).toEqual(['DEEP REPLACED, A LONGER VALUE']);
    expect(dumped(dump, 3, CODE_MEANING).map((element) => element.value)).toEqual(['']);
    expect(dumped(dump, 3, CODE_VALUE)).toEqual([]);
    expect(dumped(dump, 3, CODING_SCHEME).map((element) => element.value)).toEqual(['DCM']);
    expect(pixelBytes(second)?.equals(pixelBytes(source.path) ?? Buffer.alloc(0)) ?? true).toBe(true);
  });
});

/** The deepest string element three or more levels down in the file as it came, if any. */
function deepestExisting(file: DicomFile): { path: PathStep[]; element: DicomElement } | undefined {
  let best: { path: PathStep[]; element: DicomElement } | undefined;
  const visit = (elements: readonly DicomElement[], trail: PathStep[]) => {
    for (const element of elements) {
      if (trail.length >= 3 && STRING_VRS.has(element.vr) && element.vr !== 'UI' && (!best || trail.length > best.path.length)) {
        best = { path: trail, element };
      }
      element.items?.forEach((item, index) => visit(item.elements, [...trail, { tag: element.tag, item: index }]));
    }
  };
  visit(file.dataSet, []);
  return best;
}

const withDeepSequences = corpusFiles().filter((file) => file.dcmdumpOk && deepestExisting(readDicomFile(file.path)) !== undefined);

describe('editing inside sequences the file already has (defined and undefined lengths)', () => {
  it('finds such files in the corpus', () => {
    expect(withDeepSequences.length).toBeGreaterThanOrEqual(5);
  });

  it.each(withDeepSequences)('$name: replaces and removes the deepest string element', async (source) => {
    const file = readDicomFile(source.path);
    const deepest = deepestExisting(file);
    if (!deepest) throw new Error('no deep element');
    const { path: trail, element } = deepest;
    const target = path.join(out, `existing-${source.name}`);
    const edits = new Map<Tag, ElementEdit>();
    addEdit(edits, trail, element.tag, { op: 'set', value: element.vr === 'CS' ? 'EDITED' : 'EDITED VALUE' });
    await writeDicomFile(file, edits, target);
    const back = readDicomFile(target);
    expect(textAt(back, trail, element.tag)).toEqual([element.vr === 'CS' ? 'EDITED' : 'EDITED VALUE']);
    const dump = dcmdumpElements(target);
    expect(dump.filter((entry) => entry.path.join() === trail.map((step) => step.tag).join() && entry.tag === element.tag).map((entry) => entry.value)).toContain(element.vr === 'CS' ? 'EDITED' : 'EDITED VALUE');
    expect(pixelBytes(target)?.equals(pixelBytes(source.path) ?? Buffer.alloc(0)) ?? true).toBe(true);

    const removedTarget = path.join(out, `existing-removed-${source.name}`);
    const removal = new Map<Tag, ElementEdit>();
    addEdit(removal, trail, element.tag, { op: 'remove' });
    await writeDicomFile(file, removal, removedTarget);
    expect(readDicomFile(removedTarget).dataSet.length).toBe(file.dataSet.length);
    expect(textAt(readDicomFile(removedTarget), trail, element.tag)).toEqual([]);
  });
});
