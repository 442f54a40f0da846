// Generators of broken DICOM files for the malformed-input tests: deterministic random bytes,
// truncation offsets, corrupted length fields and removed delimiters, located from a good parse.
import { deflateRawSync } from 'node:zlib';
import vm from 'node:vm';
import type { DicomFile } from '../../src/dicom/read-file.js';
import { EXPLICIT_LITTLE, type DicomElement, type Encoding } from '../../src/dicom/model.js';
import { SHORT_LENGTH_VRS, STRING_VRS, hasShortLength, isVr } from '../../src/dicom/vr.js';

/** mulberry32: a small seeded PRNG, so every "random" file is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(seed: number, size: number): Buffer {
  const next = seededRandom(seed);
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index += 1) bytes[index] = Math.floor(next() * 256);
  return bytes;
}

/** At most `max` items, spread evenly over the list (first and last included). */
export function sampleEvenly<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const picked: T[] = [];
  for (let index = 0; index < max; index += 1) {
    const item = items[Math.round((index * (items.length - 1)) / (max - 1))];
    if (item !== undefined) picked.push(item);
  }
  return picked;
}

/** Every offset below `dense`, then about `spread` offsets spread over the rest (with seeded jitter), ascending. */
export function truncationOffsets(size: number, dense = 300, spread = 200, seed = 1): number[] {
  const offsets = new Set<number>();
  for (let offset = 0; offset < Math.min(dense, size); offset += 1) offsets.add(offset);
  const rest = size - dense;
  if (rest > 0) {
    const next = seededRandom(seed);
    const step = rest / spread;
    for (let index = 0; index < spread; index += 1) offsets.add(dense + Math.floor(index * step + next() * step));
    offsets.add(size - 1);
  }
  return [...offsets].filter((offset) => offset < size).sort((a, b) => a - b);
}

/** Which bytes an offset refers to: the file, or (deflated transfer syntaxes) the inflated data set. */
export type Space = 'file' | 'data set';

export interface LengthField {
  /** Where the field is, for test names: "(0010,0010) length", "item 2 of (0040,A730) length". */
  readonly label: string;
  readonly space: Space;
  readonly offset: number;
  readonly size: 2 | 4;
  readonly littleEndian: boolean;
  readonly value: number;
  /** Offset of the value the length describes, in the same space. */
  readonly valueOffset: number;
}

/** An 8-byte Item Delimitation or Sequence Delimitation Item. */
export interface Delimiter {
  readonly label: string;
  readonly space: Space;
  readonly offset: number;
}

interface Located {
  readonly element: DicomElement;
  readonly encoding: Encoding;
  readonly space: Space;
}

/** Meta elements, then data set elements depth-first, each with the encoding it was written in. */
function allElements(file: DicomFile): Located[] {
  const out: Located[] = [];
  const dataSpace: Space = file.transferSyntax.deflated ? 'data set' : 'file';
  const visit = (elements: readonly DicomElement[], encoding: Encoding, space: Space) => {
    for (const element of elements) {
      if (element.stray) continue;
      out.push({ element, encoding, space });
      for (const item of element.items ?? []) visit(item.elements, element.itemEncoding ?? encoding, space);
    }
  };
  visit(file.meta, EXPLICIT_LITTLE, 'file');
  visit(file.dataSet, file.encoding, dataSpace);
  return out;
}

const hex = (tag: number) => {
  const text = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${text.slice(0, 4)},${text.slice(4)})`;
};

/** Length fields of every element, item and encapsulated fragment, in document order. */
export function lengthFields(file: DicomFile): LengthField[] {
  const fields: LengthField[] = [];
  for (const { element, encoding, space } of allElements(file)) {
    const headerSize = element.valueOffset - element.start;
    const short = encoding.explicitVr && headerSize === 8;
    const size = short ? 2 : 4;
    const value = element.undefinedLength ? 0xffffffff : element.valueLength;
    fields.push({ label: `${hex(element.tag)} ${element.vr} length`, space, offset: element.valueOffset - size, size, littleEndian: encoding.littleEndian, value, valueOffset: element.valueOffset });
    (element.items ?? []).forEach((item, index) => {
      const itemValue = item.undefinedLength ? 0xffffffff : item.valueLength;
      const littleEndian = (element.itemEncoding ?? encoding).littleEndian;
      fields.push({ label: `item ${index + 1} of ${hex(element.tag)} length`, space, offset: item.start + 4, size: 4, littleEndian, value: itemValue, valueOffset: item.valueOffset });
    });
    (element.fragments ?? []).forEach((fragment, index) => {
      fields.push({ label: `fragment ${index + 1} of ${hex(element.tag)} length`, space, offset: fragment.start + 4, size: 4, littleEndian: encoding.littleEndian, value: fragment.valueLength, valueOffset: fragment.valueOffset });
    });
  }
  return fields;
}

/** Delimiters that close undefined-length sequences, items and encapsulated pixel data. */
export function delimiters(file: DicomFile): Delimiter[] {
  const found: Delimiter[] = [];
  for (const { element, space } of allElements(file)) {
    (element.items ?? []).forEach((item, index) => {
      if (item.undefinedLength) found.push({ label: `Item Delimitation of item ${index + 1} of ${hex(element.tag)}`, space, offset: item.end - 8 });
    });
    if (element.undefinedLength) found.push({ label: `Sequence Delimitation of ${hex(element.tag)}`, space, offset: element.end - 8 });
  }
  return found;
}

export interface LengthVariant {
  readonly name: string;
  readonly value: number;
}

/**
 * Wrong values for one length field: undefined length, huge, off by one (odd), slightly too large,
 * and just past the end of the data. Duplicates and the original value are left out.
 */
export function lengthVariants(field: LengthField, dataEnd: number): LengthVariant[] {
  const max = field.size === 2 ? 0xffff : 0xffffffff;
  const original = field.value === 0xffffffff ? 0 : field.value;
  const candidates: LengthVariant[] = [
    { name: 'all ones', value: max },
    { name: 'huge', value: field.size === 2 ? 0xfff0 : 0xfffffff0 },
    { name: 'off by one', value: (original ^ 1) >>> 0 },
    { name: 'slightly too large', value: original + 2 },
    { name: 'just past the end', value: dataEnd - field.valueOffset + 2 },
  ];
  const seen = new Set<number>([field.value]);
  return candidates.filter(({ value }) => {
    if (value < 0 || value > max || seen.has(value)) return false;
    seen.add(value);
    return true;
  });
}

/**
 * The file's bytes after `edit` changed either the file or, for a deflated data set, the inflated
 * bytes (which are then deflated again behind the unchanged meta header).
 */
export function editBytes(original: Buffer, file: DicomFile, space: Space, edit: (bytes: Buffer) => Buffer): Buffer {
  if (space === 'file' || file.inflated === undefined) return edit(Buffer.from(original));
  const body = edit(Buffer.from(file.inflated));
  return Buffer.concat([original.subarray(0, file.dataSetStart), deflateRawSync(body)]);
}

export function withLength(original: Buffer, file: DicomFile, field: LengthField, value: number): Buffer {
  return editBytes(original, file, field.space, (bytes) => {
    if (field.size === 2) {
      if (field.littleEndian) bytes.writeUInt16LE(value, field.offset);
      else bytes.writeUInt16BE(value, field.offset);
    } else if (field.littleEndian) bytes.writeUInt32LE(value, field.offset);
    else bytes.writeUInt32BE(value, field.offset);
    return bytes;
  });
}

export function withoutDelimiter(original: Buffer, file: DicomFile, delimiter: Delimiter): Buffer {
  return editBytes(original, file, delimiter.space, (bytes) => Buffer.concat([bytes.subarray(0, delimiter.offset), bytes.subarray(delimiter.offset + 8)]));
}

/** Printable ASCII runs of at least `min` characters, trimmed. */
export function printableRuns(bytes: Uint8Array, min = 6): string[] {
  const runs: string[] = [];
  let run = '';
  const flush = () => {
    const text = run.trim();
    if (text.length >= min) runs.push(text);
    run = '';
  };
  for (const byte of bytes) {
    if (byte >= 0x20 && byte <= 0x7e) run += String.fromCharCode(byte);
    else flush();
  }
  flush();
  return runs;
}

/**
 * Text from the values of short-length string elements (names, IDs, dates, UIDs): none of it may
 * appear in an error message. Short all-digit runs are left out, since a message may hold the same
 * digits as a byte count or offset.
 */
export function valueTexts(file: DicomFile): Set<string> {
  const texts = new Set<string>();
  for (const { element, space } of allElements(file)) {
    if (!STRING_VRS.has(element.vr) || !SHORT_LENGTH_VRS.has(element.vr) || element.valueLength === 0) continue;
    const end = element.valueOffset + element.valueLength;
    const bytes = space === 'data set' ? file.inflated?.subarray(element.valueOffset, end) : file.fileBytes.slice(element.valueOffset, end);
    for (const run of printableRuns(bytes ?? new Uint8Array(0))) {
      if (run.length < 12 && /^[\d.\s+-]+$/.test(run)) continue;
      texts.add(run);
    }
  }
  return texts;
}

const deadline = vm.createContext({});
const callJob = new vm.Script('job()');

/**
 * Runs `job` and stops it if it takes longer than `ms` (a synchronous endless loop included: the
 * vm watchdog terminates whatever JavaScript is running). Returns how it ended and how long it took.
 */
export function runWithDeadline<T>(job: () => T, ms: number): { readonly outcome: { ok: true; value: T } | { ok: false; error: unknown }; readonly elapsed: number } {
  deadline['job'] = job;
  const started = performance.now();
  try {
    const value = callJob.runInContext(deadline, { timeout: ms }) as T;
    return { outcome: { ok: true, value }, elapsed: performance.now() - started };
  } catch (error) {
    return { outcome: { ok: false, error }, elapsed: performance.now() - started };
  } finally {
    deadline['job'] = undefined;
  }
}

// Hand-built files, one element per call, Explicit VR Little Endian.

export function explicitElement(group: number, element: number, vr: string, value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? padded(value, vr === 'UI' ? 0 : 0x20) : value;
  const long = !(isVr(vr) && hasShortLength(vr));
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(bytes.length, 8);
  else header.writeUInt16LE(bytes.length, 6);
  return Buffer.concat([header, bytes]);
}

function padded(text: string, pad: number): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from([pad])]);
}

/** An SQ (or item) header of undefined length, and the delimiters that close them. */
export function undefinedLengthSequence(group: number, element: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.write('SQ', 4, 'latin1');
  header.writeUInt32LE(0xffffffff, 8);
  return header;
}

export function marker(element: 0xe000 | 0xe00d | 0xe0dd, length: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt16LE(0xfffe, 0);
  bytes.writeUInt16LE(element, 2);
  bytes.writeUInt32LE(length, 4);
  return bytes;
}

export const OPEN_ITEM = () => marker(0xe000, 0xffffffff);
export const CLOSE_ITEM = () => marker(0xe00d, 0);
export const CLOSE_SEQUENCE = () => marker(0xe0dd, 0);

/** Preamble, "DICM", a minimal meta header (group length and transfer syntax), then `dataSet`. */
export function part10(dataSet: Buffer, transferSyntaxUid = '1.2.840.10008.1.2.1'): Buffer {
  const transferSyntax = explicitElement(0x0002, 0x0010, 'UI', transferSyntaxUid);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(transferSyntax.length, 0);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), explicitElement(0x0002, 0x0000, 'UL', groupLength), transferSyntax, dataSet]);
}

/** An Explicit VR LE header (12 bytes) of `vr` with undefined length, for values that follow it. */
export function undefinedHeader(group: number, element: number, vr: string): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.write(vr, 4, 'latin1');
  header.writeUInt32LE(0xffffffff, 8);
  return header;
}
