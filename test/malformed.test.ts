// Broken input never hangs or crashes the reader: every failure is a typed DicomError whose message
// names the file, what is wrong and where (tag and byte offset), and holds no value from the file.
import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomError, DicomIoError, MalformedDicomError, NotDicomError, TruncatedDicomError, type DicomErrorCode } from '../src/dicom/errors.js';
import { readDicomFile, type DicomFile, type ReadOptions } from '../src/dicom/read-file.js';
import type { DicomElement } from '../src/dicom/model.js';
import { formatTag } from '../src/dicom/tag.js';
import {
  CLOSE_ITEM,
  CLOSE_SEQUENCE,
  OPEN_ITEM,
  delimiters,
  editBytes,
  explicitElement,
  lengthFields,
  lengthVariants,
  part10,
  printableRuns,
  randomBytes,
  runWithDeadline,
  sampleEvenly,
  truncationOffsets,
  undefinedLengthSequence,
  valueTexts,
  withLength,
  withoutDelimiter,
  type LengthField,
} from './helpers/broken-files.js';
import { corpusDir } from './helpers/corpus.js';

const CORPUS = corpusDir;
/** The requirement: each broken file gives its typed error within a second. */
const DEADLINE_MS = 1000;
const STRUCTURAL: readonly DicomErrorCode[] = ['TRUNCATED', 'MALFORMED', 'NOT_DICOM'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dicom-tools-malformed-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function corpusFile(name: string): string {
  return join(CORPUS, name);
}

function scratch(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** What is wrong with an error's message: it must name the file and where, and hold no value text. */
function messageProblems(error: DicomError, path: string, values: Iterable<string>): string[] {
  const problems: string[] = [];
  if (!error.message.includes(path)) problems.push('message does not name the file');
  const withoutPath = error.message.split(path).join('');
  for (const value of values) {
    if (withoutPath.includes(value)) problems.push(`message holds the value text "${value}"`);
  }
  if (error.code === 'TRUNCATED' || error.code === 'MALFORMED') {
    if (error.offset === undefined || !Number.isInteger(error.offset) || error.offset < 0) problems.push('no byte offset');
    else if (!error.message.includes(`byte offset ${error.offset}`)) problems.push(`message does not give byte offset ${error.offset}`);
  }
  if (error.tag !== undefined && !error.message.includes(formatTag(error.tag))) problems.push(`message does not name ${formatTag(error.tag)}`);
  return problems;
}

/**
 * Reads `path` under the deadline and says what is wrong with the outcome, or undefined when it is
 * acceptable: success, or a DicomError with one of the `allowed` codes and a proper message.
 */
function readProblem(path: string, values: Iterable<string>, allowed: readonly DicomErrorCode[] = STRUCTURAL, options: ReadOptions = {}): string | undefined {
  const { outcome, elapsed } = runWithDeadline(() => readDicomFile(path, options), DEADLINE_MS);
  if (outcome.ok) return elapsed < DEADLINE_MS ? undefined : `read took ${Math.round(elapsed)} ms`;
  const { error } = outcome;
  if (!(error instanceof DicomError)) {
    const what = error instanceof Error ? `${error.constructor.name}: ${error.message}` : `non-Error ${typeof error}: ${String(error)}`;
    return elapsed >= DEADLINE_MS ? `did not finish within ${DEADLINE_MS} ms (${what})` : `threw ${what}`;
  }
  const problems = messageProblems(error, path, values);
  if (!allowed.includes(error.code)) problems.unshift(`${error.name} with code ${error.code}`);
  if (elapsed >= DEADLINE_MS) problems.unshift(`took ${Math.round(elapsed)} ms`);
  return problems.length > 0 ? `${problems.join('; ')} [${error.message.split(path).join('<file>')}]` : undefined;
}

/** The first failures and how many there were, so one test reports every broken case at once. */
function summary(failures: readonly string[], max = 12): string[] {
  return failures.length > max ? [...failures.slice(0, max), `... and ${failures.length - max} more`] : [...failures];
}

/** Reads and requires a DicomError (within the deadline); returns it for closer checks. */
function expectDicomError(path: string, options: ReadOptions = {}): DicomError {
  const { outcome, elapsed } = runWithDeadline(() => readDicomFile(path, options), DEADLINE_MS);
  expect(elapsed).toBeLessThan(DEADLINE_MS);
  if (outcome.ok) throw new Error(`expected ${path} to fail, but it was read`);
  expect(outcome.error).toBeInstanceOf(DicomError);
  return outcome.error as DicomError;
}

describe('the deadline guard', () => {
  it('stops a synchronous endless loop, so a hanging read fails instead of hanging the run', () => {
    const { outcome, elapsed } = runWithDeadline(() => {
      for (;;);
    }, 50);
    expect(outcome.ok).toBe(false);
    expect(elapsed).toBeLessThan(DEADLINE_MS);
  });
});

describe('the malformed corpus file fodicom_GH179B', () => {
  it('gives a MalformedDicomError naming (0028,0120) and the byte offset of its bad VR', () => {
    const path = join(dir, 'GH179B.dcm');
    copyFileSync(corpusFile('fodicom_GH179B.dcm'), path);
    const bytes = readFileSync(path);
    const error = expectDicomError(path);

    expect(error).toBeInstanceOf(MalformedDicomError);
    expect(error.code).toBe('MALFORMED');
    expect(error.tag).toBe(0x00280120);
    expect(error.message).toBe(`${path}: Malformed DICOM: invalid VR bytes (not two upper-case letters) (at (0028,0120), byte offset ${error.offset})`);
    // The offset points into the header of the first (0028,0120) element (tag bytes 28 00 20 01).
    const elementStart = bytes.indexOf(Buffer.from([0x28, 0x00, 0x20, 0x01]));
    expect(error.offset).toBeGreaterThanOrEqual(elementStart);
    expect(error.offset).toBeLessThan(elementStart + 8);
    // No printable text of the file (past the preamble) may reach the message.
    expect(messageProblems(error, path, printableRuns(bytes.subarray(132)))).toEqual([]);
  });
});

describe('files that are not DICOM', () => {
  const notDicom = (name: string, bytes: Uint8Array) => {
    const path = scratch(name, bytes);
    const error = expectDicomError(path);
    expect(error).toBeInstanceOf(NotDicomError);
    expect(error.code).toBe('NOT_DICOM');
    expect(error.message).toMatch(new RegExp(`^${escapeRegExp(path)}: File not recognized as DICOM: `));
    expect(messageProblems(error, path, printableRuns(bytes))).toEqual([]);
  };

  it('rejects an empty file', () => notDicom('empty', new Uint8Array(0)));
  it('rejects a one-byte file', () => notDicom('one-byte', Uint8Array.of(0x08)));
  it('rejects a text file', () => notDicom('notes.txt', Buffer.from('Patient Jane Doe, seen on 2024-01-02.\nNothing here is DICOM.\n', 'utf8')));
  it('rejects a PNG image', () => {
    // Signature, then the IHDR chunk of a 1x1 grey image.
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010800000000', 'hex');
    notDicom('image.png', Buffer.concat([png, Buffer.alloc(200, 0x41)]));
  });

  const sizes = [2, 7, 8, 64, 131, 132, 133, 200, 1024, 65536];
  it.each(sizes)('rejects %i random bytes', (size) => {
    for (const seed of [1, 2, 3]) notDicom(`random-${size}-${seed}`, randomBytes(seed * 7919 + size, size));
  });
  it.each(sizes.filter((size) => size > 132))('rejects %i random bytes with "DICM" at byte 128', (size) => {
    for (const seed of [1, 2, 3]) {
      const bytes = randomBytes(seed * 104729 + size, size);
      bytes.write('DICM', 128, 'latin1');
      notDicom(`random-dicm-${size}-${seed}`, bytes);
    }
  });

  it('gives a typed error for "DICM" followed by a broken meta header', () => {
    const header = Buffer.from('0200 0000 554c 0400'.replace(/ /g, ''), 'hex');
    const bytes = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), header, randomBytes(5, 300)]);
    const path = scratch('dicm-garbage.dcm', bytes);
    const error = expectDicomError(path);
    expect(STRUCTURAL).toContain(error.code);
    expect(messageProblems(error, path, printableRuns(bytes))).toEqual([]);
  });

  it('gives a DicomIoError for a directory', () => {
    const path = join(dir, 'a-directory.dcm');
    mkdirSync(path);
    const error = expectDicomError(path);
    expect(error).toBeInstanceOf(DicomIoError);
    expect(error.code).toBe('IO');
    expect(error.message).toBe(`${path}: not a regular file`);
  });

  it('gives a DicomIoError for a missing file', () => {
    const path = join(dir, 'no-such-file.dcm');
    const error = expectDicomError(path);
    expect(error).toBeInstanceOf(DicomIoError);
    expect(error.code).toBe('IO');
    expect(error.message).toBe(`${path}: cannot open file for reading: no such file or folder`);
  });

  // Root reads a file whatever its mode, so chmod 000 denies nothing there: skip only this case.
  it.skipIf(process.getuid?.() === 0)('gives a DicomIoError for an unreadable file', () => {
    const path = scratch('unreadable.dcm', readFileSync(corpusFile('fodicom_GH220.dcm')));
    chmodSync(path, 0o000);
    try {
      const error = expectDicomError(path);
      expect(error).toBeInstanceOf(DicomIoError);
      expect(error.code).toBe('IO');
      expect(error.message).toBe(`${path}: cannot open file for reading: permission denied`);
    } finally {
      chmodSync(path, 0o600);
    }
  });
});

describe('hand-built broken files', () => {
  const SECRET_NAME = 'Doe^Jane^Secret';
  const SECRET_ID = 'SECRETID1234';
  const SECRET_TEXT = 'Confidential finding';
  const secrets = [SECRET_NAME, SECRET_ID, SECRET_TEXT];
  const patientName = () => explicitElement(0x0010, 0x0010, 'PN', SECRET_NAME);
  const finding = () => explicitElement(0x0040, 0xa160, 'UT', SECRET_TEXT);

  it('reports a length that points past the end as truncated, at the element', () => {
    const patientId = explicitElement(0x0010, 0x0020, 'LO', SECRET_ID);
    patientId.writeUInt16LE(0x0100, 6);
    const bytes = part10(Buffer.concat([patientName(), patientId]));
    const path = scratch('length-past-end.dcm', bytes);
    const error = expectDicomError(path);
    const start = bytes.length - patientId.length;

    expect(error).toBeInstanceOf(TruncatedDicomError);
    expect(error.tag).toBe(0x00100020);
    expect(error.offset).toBe(start);
    expect(error.message).toBe(`${path}: File is truncated: the value of (0010,0020) is longer than the 12 bytes that remain (at (0010,0020), byte offset ${start})`);
    expect(messageProblems(error, path, secrets)).toEqual([]);
  });

  it('names the sequence that never closes when the file ends inside it', () => {
    const sequence = Buffer.concat([undefinedLengthSequence(0x0040, 0xa730), OPEN_ITEM(), finding()]);
    const bytes = part10(Buffer.concat([patientName(), sequence]));
    const path = scratch('sequence-never-closes.dcm', bytes);
    const error = expectDicomError(path);

    expect(error).toBeInstanceOf(TruncatedDicomError);
    expect(messageProblems(error, path, secrets)).toEqual([]);
    expect(error.message).toContain('never closed');
    expect(error.message).toContain('(0040,A730)');
  });

  it('names the sequence whose delimiter is missing when the data set goes on', () => {
    const sequence = Buffer.concat([undefinedLengthSequence(0x0040, 0xa730), OPEN_ITEM(), finding(), CLOSE_ITEM()]);
    const bytes = part10(Buffer.concat([sequence, patientName()]));
    const path = scratch('sequence-delimiter-missing.dcm', bytes);
    const error = expectDicomError(path);

    expect(error).toBeInstanceOf(MalformedDicomError);
    expect(error.tag).toBe(0x0040a730);
    expect(error.offset).toBe(bytes.length - patientName().length);
    expect(messageProblems(error, path, secrets)).toEqual([]);
  });

  it('stops at a depth limit instead of overflowing the stack on 20,000 nested sequences', () => {
    const open = Buffer.concat([undefinedLengthSequence(0x0040, 0xa730), OPEN_ITEM()]);
    const close = Buffer.concat([CLOSE_ITEM(), CLOSE_SEQUENCE()]);
    const depth = 20_000;
    const bytes = part10(Buffer.concat([...Array.from({ length: depth }, () => open), finding(), ...Array.from({ length: depth }, () => close)]));
    const path = scratch('deep.dcm', bytes);
    const error = expectDicomError(path);

    expect(error).toBeInstanceOf(MalformedDicomError);
    expect(error.message).toContain('nested deeper than');
    expect(messageProblems(error, path, secrets)).toEqual([]);
  });

  it('rejects undefined length on a text element, naming it', () => {
    // (0040,A160) UT with length FFFFFFFF: only SQ, UN and encapsulated OB/OW may have undefined length.
    const header = explicitElement(0x0040, 0xa160, 'UT', Buffer.alloc(0));
    header.writeUInt32LE(0xffffffff, 8);
    const prefix = patientName();
    const bytes = part10(Buffer.concat([prefix, header, Buffer.from(SECRET_TEXT, 'latin1')]));
    const path = scratch('undefined-length-text.dcm', bytes);
    const error = expectDicomError(path);

    expect(error).toBeInstanceOf(MalformedDicomError);
    expect(error.tag).toBe(0x0040a160);
    expect(error.offset).toBe(bytes.length - SECRET_TEXT.length - header.length);
    expect(messageProblems(error, path, secrets)).toEqual([]);
  });

  it('reads a valid file whose data set is one empty element', () => {
    // 8 bytes after the meta header: a PN element of length 0.
    const bytes = part10(explicitElement(0x0010, 0x0010, 'PN', ''));
    const path = scratch('one-empty-element.dcm', bytes);
    const { outcome } = runWithDeadline(() => readDicomFile(path), DEADLINE_MS);
    if (!outcome.ok) throw outcome.error;
    expect(outcome.value.dataSet.map((element) => [formatTag(element.tag), element.vr, element.valueLength])).toEqual([['(0010,0010)', 'PN', 0]]);
  });
});

interface CorpusCase {
  readonly file: string;
  readonly covers: string;
  /** Has undefined-length sequences, items or encapsulated pixel data, so delimiters to remove. */
  readonly delimited: boolean;
}

const REPRESENTATIVE: readonly CorpusCase[] = [
  { file: 'dcmqats_1_ELE.dcm', covers: 'Explicit VR Little Endian', delimited: false },
  { file: 'dcmqats_2_ILE.dcm', covers: 'Implicit VR Little Endian', delimited: false },
  { file: 'dcmqats_3_EBE.dcm', covers: 'Explicit VR Big Endian', delimited: false },
  { file: 'dcmqats_4_RLE.dcm', covers: 'encapsulated (RLE) pixel data', delimited: true },
  { file: 'dicomparser_report_dfl.dcm', covers: 'deflated data set with nested sequences', delimited: true },
  { file: 'dcmqaenh_Siemens_XA10_6_1.dcm', covers: 'enhanced multi-frame, nested undefined-length sequences', delimited: true },
  { file: 'fodicom_CR-MONO1-10-chest.dcm', covers: 'raw data set, no File Meta Information', delimited: false },
  { file: 'fodicom_GH177_BigEndian_undefined_length.dcm', covers: 'Big Endian with an undefined-length UN sequence', delimited: true },
  { file: 'dcmjs_structured_report.dcm', covers: 'SR content tree of nested undefined-length sequences', delimited: true },
  { file: 'pydicomdata_liver_deflate.dcm', covers: 'Deflated Image Frame Compression (encapsulated)', delimited: true },
];

/** Length fields corrupted per file (spread over meta, data set, items and fragments), each in several ways. */
const LENGTH_FIELDS_PER_FILE = 30;
const DELIMITERS_PER_FILE = 30;
/** Small enough that the reader must grow its buffer and fetch Pixel Data fragment headers from disk. */
const SMALL_CHUNK = 4096;

function loadGood(file: string) {
  const original = readFileSync(corpusFile(file));
  const good = readDicomFile(corpusFile(file));
  return { original, good, values: valueTexts(good) };
}

const byFile = (cases: readonly CorpusCase[]) => cases.map((entry) => [`${entry.file} (${entry.covers})`, entry.file] as const);

describe.each(byFile(REPRESENTATIVE))('%s', (_, file) => {
  const load = () => loadGood(file);

  it('gives a typed error or a shorter valid file when truncated anywhere', () => {
    const { original, good, values } = load();
    expect(values.size).toBeGreaterThan(0);
    const path = join(dir, `truncated-${file}`);
    writeFileSync(path, original);
    const offsets = truncationOffsets(good.size);
    const failures: string[] = [];
    let reads = 0;
    // Longest first, so each cut is one truncate of the same file.
    [...offsets].reverse().forEach((offset, index) => {
      truncateSync(path, offset);
      const runs: ReadOptions[] = offset >= 300 && index % 2 === 0 ? [{}, { initialChunk: SMALL_CHUNK }] : [{}];
      for (const options of runs) {
        reads += 1;
        const problem = readProblem(path, values, STRUCTURAL, options);
        const how = options.initialChunk === undefined ? '' : ` (initialChunk ${options.initialChunk})`;
        if (problem) failures.push(`cut at ${offset}${how}: ${problem}`);
      }
    });
    expect(reads).toBeGreaterThanOrEqual(Math.min(good.size, 450));
    expect(summary(failures)).toEqual([]);
  });

  it('gives a typed error or a valid file when length fields are corrupted', () => {
    const { original, good, values } = load();
    const path = join(dir, `lengths-${file}`);
    const fields = sampleEvenly(lengthFields(good), LENGTH_FIELDS_PER_FILE);
    expect(fields.length).toBe(LENGTH_FIELDS_PER_FILE);
    const failures: string[] = [];
    let cases = 0;
    writeFileSync(path, original);
    for (const field of fields) {
      const dataEnd = field.space === 'data set' ? (good.inflated?.length ?? good.size) : good.size;
      for (const variant of lengthVariants(field, dataEnd)) {
        cases += 1;
        const restore = writeCorruptedLength(path, original, good, field, variant.value);
        const problem = readProblem(path, values);
        restore();
        if (problem) failures.push(`${field.label} at ${field.space} offset ${field.offset} set to ${variant.name} (${variant.value}): ${problem}`);
      }
    }
    expect(cases).toBeGreaterThanOrEqual(LENGTH_FIELDS_PER_FILE * 3);
    expect(summary(failures)).toEqual([]);
  });

});

describe.each(byFile(REPRESENTATIVE.filter((entry) => entry.delimited)))('%s', (_, file) => {
  it('gives a typed error or a valid file when a delimiter is removed (a sequence that never closes)', () => {
    const { original, good, values } = loadGood(file);
    const path = join(dir, `delimiters-${file}`);
    const found = delimiters(good);
    expect(found.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const delimiter of sampleEvenly(found, DELIMITERS_PER_FILE)) {
      writeFileSync(path, withoutDelimiter(original, good, delimiter));
      const problem = readProblem(path, values);
      if (problem) failures.push(`${delimiter.label} removed (${delimiter.space} offset ${delimiter.offset}): ${problem}`);
    }
    expect(summary(failures)).toEqual([]);
  });
});

/**
 * Writes one corrupted length into `path`: in place for file offsets (then puts the original bytes
 * back), or the whole file again when the field is inside a deflated data set.
 */
function writeCorruptedLength(path: string, original: Buffer, good: DicomFile, field: LengthField, value: number): () => void {
  if (field.space === 'data set') {
    writeFileSync(path, withLength(original, good, field, value));
    return () => writeFileSync(path, original);
  }
  const patched = withLength(original.subarray(0, field.offset + field.size), good, field, value).subarray(field.offset);
  const patch = (bytes: Uint8Array) => {
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, bytes, 0, bytes.length, field.offset);
    } finally {
      closeSync(fd);
    }
  };
  patch(patched);
  return () => patch(original.subarray(field.offset, field.offset + field.size));
}

describe('unknown VRs', () => {
  type Pick = (good: DicomFile) => DicomElement | undefined;
  const cases: readonly (readonly [where: string, file: string, pick: Pick])[] = [
    ['the meta header', 'dcmqats_1_ELE.dcm', (good) => good.meta.find((element) => element.tag === 0x00020010)],
    ['the data set (Explicit VR Little Endian)', 'dcmqats_1_ELE.dcm', (good) => good.dataSet.find((element) => element.tag === 0x00100010)],
    ['the data set (Explicit VR Big Endian)', 'dcmqats_3_EBE.dcm', (good) => good.dataSet.find((element) => element.tag === 0x00100010)],
    ['an item nested two levels deep', 'dcmjs_structured_report.dcm', (good) => nestedElement(good, 2)],
    ['an item of a deflated data set', 'dicomparser_report_dfl.dcm', (good) => nestedElement(good, 1)],
  ];
  const replacements: readonly (readonly [name: string, bytes: Buffer])[] = [
    ['"XY"', Buffer.from('XY', 'latin1')],
    ['00 01 (not letters)', Buffer.from([0x00, 0x01])],
    ['"1!" (not letters)', Buffer.from('1!', 'latin1')],
  ];

  describe.each(cases)('in %s of %s', (_, file, pick) => {
    it.each(replacements)('gives a MalformedDicomError naming the tag for VR %s', (name, vrBytes) => {
      const original = readFileSync(corpusFile(file));
      const good = readDicomFile(corpusFile(file));
      const element = pick(good);
      if (element === undefined) throw new Error(`no element to corrupt in ${file}`);
      const space = good.meta.includes(element) || !good.transferSyntax.deflated ? 'file' : 'data set';
      const bytes = editBytes(original, good, space, (data) => {
        data.set(vrBytes, element.start + 4);
        return data;
      });
      const path = scratch(`vr-${name.replace(/\W+/g, '-')}-${file}`, bytes);
      const error = expectDicomError(path);

      expect(error).toBeInstanceOf(MalformedDicomError);
      expect(error.tag).toBe(element.tag);
      expect(error.message).toContain(formatTag(element.tag));
      expect(error.offset).toBeGreaterThanOrEqual(element.start);
      expect(error.offset).toBeLessThan(element.start + 8);
      expect(messageProblems(error, path, valueTexts(good))).toEqual([]);
    });
  });
});

/** The first element found at `depth` levels of sequence nesting (1 = inside a top-level item). */
function nestedElement(good: DicomFile, depth: number): DicomElement | undefined {
  let level = good.dataSet.filter((element) => !element.stray);
  for (let index = 0; index < depth; index += 1) {
    level = level.flatMap((element) => (element.vr === 'SQ' ? (element.items ?? []).flatMap((item) => item.elements) : []));
  }
  return level.find((element) => element.items === undefined);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
