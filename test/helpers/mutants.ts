// Deterministic mutants of a good DICOM file, for the test that every output reads in DCMTK:
// random byte flips and insertions, lengths made undefined, VRs and groups changed, and whole
// elements grafted in that our reader accepts but that are odd (undefined lengths outside
// sequences, illegal groups, stray delimiters). Mutations stay before Pixel Data's value.
import type { DicomElement, Encoding } from '../../src/dicom/model.js';
import type { DicomFile } from '../../src/dicom/read-file.js';
import { isPixelDataTag } from '../../src/dicom/tag.js';
import { SHORT_LENGTH_VRS, VRS } from '../../src/dicom/vr.js';
import { CLOSE_ITEM, CLOSE_SEQUENCE, OPEN_ITEM, marker, undefinedHeader } from './broken-files.js';

export interface Mutant {
  /** What was done, for failure messages: "flip byte 812", "graft OB u/l (4444,0010) at 340". */
  readonly name: string;
  readonly bytes: Buffer;
}

interface Located {
  readonly element: DicomElement;
  readonly encoding: Encoding;
  readonly depth: number;
}

/** Groups a mutation moves elements to: illegal ones (PS3.5 7.8.1), an unknown even one, a private one. */
const GROUPS = [0x0001, 0x0003, 0x0005, 0x0007, 0xffff, 0x4444, 0x0009, 0x0011];
const LONG_VRS = VRS.filter((vr) => !SHORT_LENGTH_VRS.has(vr));
const SHORT_VRS = VRS.filter((vr) => SHORT_LENGTH_VRS.has(vr));

/** `count` mutants of `bytes` (a non-deflated file that `file` is the reading of), the same for the same seed. */
export function mutantsOf(bytes: Buffer, file: DicomFile, random: () => number, count: number): Mutant[] {
  const located = locate(file);
  const topLevel = located.filter((entry) => entry.depth === 0 && !isPixelDataTag(entry.element.tag));
  const editable = located.filter((entry) => !isPixelDataTag(entry.element.tag));
  const pixel = file.dataSet.find((element) => isPixelDataTag(element.tag));
  const headerEnd = pixel ? pixel.valueOffset : file.size;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const out: Mutant[] = [];
  while (out.length < count) {
    const kind = pick(['flip', 'insert', 'undefined length', 'vr', 'group', 'graft', 'graft', 'sequence undefined'] as const);
    const copy = Buffer.from(bytes);
    const target = pick(editable);
    const { element, encoding } = target;
    switch (kind) {
      case 'flip': {
        const position = file.dataSetStart + Math.floor(random() * (headerEnd - file.dataSetStart));
        copy[position] = (copy[position] ?? 0) ^ (1 << Math.floor(random() * 8));
        out.push({ name: `flip a bit of byte ${position}`, bytes: copy });
        break;
      }
      case 'insert': {
        const extra = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * 256)));
        out.push({ name: `insert ${extra.length} bytes at ${element.start}`, bytes: Buffer.concat([copy.subarray(0, element.start), extra, copy.subarray(element.start)]) });
        break;
      }
      case 'undefined length': {
        const headerSize = element.valueOffset - element.start;
        if (encoding.explicitVr && headerSize === 8) continue; // a 2-byte length cannot say undefined
        copy.writeUInt32LE(0xffffffff, element.valueOffset - 4);
        out.push({ name: `undefined length for ${hex(element.tag)} at ${element.start}`, bytes: copy });
        break;
      }
      case 'vr': {
        if (!encoding.explicitVr) continue;
        const short = element.valueOffset - element.start === 8;
        const vr = pick(short ? SHORT_VRS : LONG_VRS);
        copy.write(vr, element.start + 4, 'latin1');
        out.push({ name: `VR ${vr} for ${hex(element.tag)} at ${element.start}`, bytes: copy });
        break;
      }
      case 'group': {
        const group = pick(GROUPS);
        copy.writeUInt16LE(group, element.start);
        out.push({ name: `group ${group.toString(16).padStart(4, '0')} for ${hex(element.tag)} at ${element.start}`, bytes: copy });
        break;
      }
      case 'graft': {
        const at = pick(topLevel).element.start;
        const graft = pickGraft(file.encoding, pick, random);
        out.push({ name: `graft ${graft.name} at ${at}`, bytes: Buffer.concat([copy.subarray(0, at), graft.bytes, copy.subarray(at)]) });
        break;
      }
      case 'sequence undefined': {
        const sequences = located.filter((entry) => entry.element.items && !entry.element.undefinedLength && entry.element.valueOffset - entry.element.start >= 8);
        if (sequences.length === 0) continue;
        const chosen = pick(sequences);
        const sequence = chosen.element;
        if (sequence.valueOffset - sequence.start === 8 && chosen.encoding.explicitVr) continue;
        copy.writeUInt32LE(0xffffffff, sequence.valueOffset - 4);
        out.push({ name: `sequence ${hex(sequence.tag)} at ${sequence.start} made undefined length`, bytes: Buffer.concat([copy.subarray(0, sequence.end), CLOSE_SEQUENCE(), copy.subarray(sequence.end)]) });
        break;
      }
    }
  }
  return out;
}

/** A whole element our reader accepts, in the file's encoding (Little Endian). */
function pickGraft(encoding: Encoding, pick: <T>(list: readonly T[]) => T, random: () => number): { name: string; bytes: Buffer } {
  const group = pick(GROUPS);
  const element = pick([0x0000, 0x0010, 0x1010, 0x3000]);
  const tag = `(${group.toString(16).padStart(4, '0')},${element.toString(16).padStart(4, '0')})`;
  const fragments = Buffer.concat([marker(0xe000, 0), marker(0xe000, 4), Buffer.from([1, 2, 3, 4]), CLOSE_SEQUENCE()]);
  const item = Buffer.concat([OPEN_ITEM(), implicitElement(0x0010, 0x0020, Buffer.from('ABCD')), CLOSE_ITEM(), CLOSE_SEQUENCE()]);
  const kinds = encoding.explicitVr ? (['OB', 'OW', 'UN', 'SQ', 'stray'] as const) : (['implicit', 'stray'] as const);
  const kind = pick(kinds);
  switch (kind) {
    case 'OB':
    case 'OW':
      return { name: `${kind} u/l ${tag} with fragments`, bytes: Buffer.concat([undefinedHeader(group, element, kind), fragments]) };
    case 'UN':
      return { name: `UN u/l ${tag} with an item`, bytes: Buffer.concat([undefinedHeader(group, element, 'UN'), item]) };
    case 'SQ':
      return { name: `SQ u/l ${tag} with an explicit item`, bytes: Buffer.concat([undefinedHeader(group, element, 'SQ'), OPEN_ITEM(), Buffer.from([0x10, 0, 0x20, 0, 0x4c, 0x4f, 4, 0]), Buffer.from('ABCD'), CLOSE_ITEM(), CLOSE_SEQUENCE()]) };
    case 'implicit':
      return { name: `implicit u/l ${tag} with an item`, bytes: Buffer.concat([implicitElement(group, element, Buffer.alloc(0), 0xffffffff), item]) };
    case 'stray': {
      const delimiter = random() < 0.5 ? 0xe00d : 0xe0dd;
      return { name: `stray (FFFE,${delimiter.toString(16).toUpperCase()})`, bytes: marker(delimiter, 0) };
    }
  }
}

function implicitElement(group: number, element: number, value: Buffer, length = value.length): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.writeUInt32LE(length >>> 0, 4);
  return Buffer.concat([header, value]);
}

function locate(file: DicomFile): Located[] {
  const out: Located[] = [];
  const visit = (elements: readonly DicomElement[], encoding: Encoding, depth: number) => {
    for (const element of elements) {
      if (element.stray) continue;
      out.push({ element, encoding, depth });
      for (const item of element.items ?? []) visit(item.elements, element.itemEncoding ?? encoding, depth + 1);
    }
  };
  visit(file.dataSet, file.encoding, 0);
  return out;
}

function hex(tag: number): string {
  const text = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${text.slice(0, 4)},${text.slice(4)})`;
}
