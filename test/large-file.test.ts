import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readlinkSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ElementEdit } from '../src/dicom/edits.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { EarlyWriteback } from '../src/io/early-writeback.js';
import { explicitElement, marker, part10 } from './helpers/broken-files.js';

// A multi-frame file far larger than the reader's window: its Pixel Data must stay on disk and be
// streamed by the writer, so memory does not grow with the file.

const dir = mkdtempSync(path.join(tmpdir(), 'dicom-large-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHUNK = 4 << 20;
const PATIENT_NAME = 0x00100010;

function header(): Buffer {
  return Buffer.concat([
    explicitElement(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    explicitElement(0x0008, 0x0018, 'UI', '2.25.99'),
    explicitElement(0x0010, 0x0010, 'PN', 'LARGE^FILE'),
    explicitElement(0x0028, 0x0010, 'US', Buffer.from([0x00, 0x02])),
  ]);
}

function pattern(seed: number): Buffer {
  const bytes = Buffer.alloc(CHUNK);
  for (let index = 0; index < CHUNK; index += 4) bytes.writeUInt32LE((index * 2654435761 + seed) >>> 0, index);
  return bytes;
}

/** Writes a native file: header, then Pixel Data (OW) of `chunks` × 4 MiB. */
function writeNative(file: string, chunks: number): void {
  const fd = openSync(file, 'w');
  const pixelHeader = Buffer.alloc(12);
  pixelHeader.writeUInt16LE(0x7fe0, 0);
  pixelHeader.writeUInt16LE(0x0010, 2);
  pixelHeader.write('OW', 4, 'latin1');
  pixelHeader.writeUInt32LE(chunks * CHUNK, 8);
  writeSync(fd, part10(header()));
  writeSync(fd, pixelHeader);
  for (let chunk = 0; chunk < chunks; chunk++) writeSync(fd, pattern(chunk));
  writeSync(fd, explicitElement(0xfffc, 0xfffc, 'OB', Buffer.alloc(8)));
  closeSync(fd);
}

/** Writes an encapsulated file: `fragments` fragments of 32 KiB. */
function writeEncapsulated(file: string, fragments: number): void {
  const fd = openSync(file, 'w');
  writeSync(fd, part10(header(), '1.2.840.10008.1.2.4.70'));
  writeSync(fd, Buffer.concat([Buffer.from([0xe0, 0x7f, 0x10, 0x00]), Buffer.from('OB\0\0', 'latin1'), Buffer.from([0xff, 0xff, 0xff, 0xff]), marker(0xe000, 0)]));
  const body = pattern(7).subarray(0, 32 << 10);
  for (let index = 0; index < fragments; index++) writeSync(fd, Buffer.concat([marker(0xe000, body.length), body]));
  writeSync(fd, marker(0xe0dd, 0));
  closeSync(fd);
}

function sha256OfRange(file: string, start: number, end: number): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(CHUNK);
  for (let position = start; position < end; ) {
    const read = readSync(fd, buffer, 0, Math.min(CHUNK, end - position), position);
    hash.update(buffer.subarray(0, read));
    position += read;
  }
  closeSync(fd);
  return hash.digest('hex');
}

function loadedBytes(file: DicomFile): number {
  return file.fileBytes.regions.reduce((sum, region) => sum + region.bytes.length, 0);
}

function pixelRange(file: DicomFile): [number, number] {
  const pixel = file.dataSet.find((element) => element.tag === 0x7fe00010);
  if (!pixel) throw new Error('no pixel data');
  return [pixel.valueOffset, pixel.end];
}

describe.each([
  ['native, 256 MiB of Pixel Data', (file: string) => writeNative(file, 64)],
  ['encapsulated, 4000 fragments (125 MiB)', (file: string) => writeEncapsulated(file, 4000)],
])('a large file: %s', (_label, make) => {
  const source = path.join(dir, `${_label.split(',')[0]}-source.dcm`);
  const output = path.join(dir, `${_label.split(',')[0]}-output.dcm`);

  it('is read with the Pixel Data left on disk', () => {
    make(source);
    const file = readDicomFile(source);
    expect(statSync(source).size).toBeGreaterThan(100 << 20);
    expect(loadedBytes(file)).toBeLessThan(2 << 20);
    expect(textAt(file, [], PATIENT_NAME)).toEqual(['LARGE^FILE']);
  });

  it('is written with an edit, the Pixel Data streamed unchanged', async () => {
    const file = readDicomFile(source);
    const edits = new Map<Tag, ElementEdit>([[PATIENT_NAME, { op: 'set', value: 'A MUCH LONGER REPLACEMENT^NAME' }]]);
    const plan = await writeDicomFile(file, edits, output);
    expect(statSync(output).size).toBe(plan.size);
    const back = readDicomFile(output);
    expect(textAt(back, [], PATIENT_NAME)).toEqual(['A MUCH LONGER REPLACEMENT^NAME']);
    const [sourceStart, sourceEnd] = pixelRange(file);
    const [outputStart, outputEnd] = pixelRange(back);
    expect(outputEnd - outputStart).toBe(sourceEnd - sourceStart);
    expect(sha256OfRange(output, outputStart, outputEnd)).toBe(sha256OfRange(source, sourceStart, sourceEnd));
    expect(back.dataSet.length).toBe(file.dataSet.length);
  });
});

/** The early write-back closes its descriptor after its last flush settles, a moment after the write. */
const WRITEBACK_CLOSED = { timeout: 10_000, interval: 10 };

/** Descriptors of this process open on files in `folder` (Linux). */
function descriptorsIn(folder: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(folder) ? [target] : [];
    } catch {
      return []; // closed while listing (the listing's own descriptor)
    }
  });
}

describe('early write-back of a large output', () => {
  it('streams a large output through early flushes and closes every descriptor once they are done', async () => {
    const source = path.join(dir, 'writeback-source.dcm');
    const output = path.join(dir, 'writeback-output.dcm');
    writeNative(source, 40); // 160 MiB: flushed early at least twice
    const file = readDicomFile(source);
    const edits = new Map<Tag, ElementEdit>([[PATIENT_NAME, { op: 'set', value: 'X' }]]);
    await writeDicomFile(file, edits, output);
    await vi.waitFor(() => expect(descriptorsIn(dir)).toEqual([]), WRITEBACK_CLOSED);
    const [sourceStart, sourceEnd] = pixelRange(file);
    const [outputStart, outputEnd] = pixelRange(readDicomFile(output));
    expect(sha256OfRange(output, outputStart, outputEnd)).toBe(sha256OfRange(source, sourceStart, sourceEnd));
  });
});

describe('EarlyWriteback', () => {
  it('asks for a flush only once the given number of bytes is written, and closes its descriptor after the last', async () => {
    const file = path.join(dir, 'writeback-unit.bin');
    writeFileSync(file, Buffer.alloc(1000));
    const writeback = new EarlyWriteback(file, 600);
    writeback.wrote(500);
    expect(writeback.started).toBe(false);
    expect(descriptorsIn(file)).toEqual([]);
    writeback.wrote(200);
    expect(writeback.started).toBe(true);
    expect(descriptorsIn(file)).toEqual([file]);
    writeback.wrote(700);
    writeback.finish();
    await vi.waitFor(() => expect(descriptorsIn(file)).toEqual([]), WRITEBACK_CLOSED);
  });

  it('is only an optimisation: a file it cannot open is left to the final flush', () => {
    const writeback = new EarlyWriteback(path.join(dir, 'no-such-folder', 'file'), 1);
    expect(() => writeback.wrote(10)).not.toThrow();
    writeback.finish();
  });
});
