import { closeSync, openSync, readSync } from 'node:fs';
import { valueBytes } from '../../dicom/element-access.js';
import { DicomIoError, MalformedDicomError, TruncatedDicomError, UnsupportedDicomError } from '../../dicom/errors.js';
import { describeFsError } from '../../io/durable-files.js';
import type { DicomElement, Fragment } from '../../dicom/model.js';
import type { DicomFile } from '../../dicom/read-file.js';
import { PIXEL_DATA, type Tag } from '../../dicom/tag.js';

// Which fragments of an encapsulated Pixel Data make up each frame (PS3.5 A.4), and the value of a
// new one. Fragment bytes are read from disk one frame at a time: pixel data is never held whole.

const EXTENDED_OFFSET_TABLE: Tag = 0x7fe00001;

/**
 * The fragments of each frame, in order: from the Extended Offset Table, else the Basic Offset
 * Table, else one fragment per frame when the counts agree, all fragments for a single frame, or
 * (JPEG family) a new frame at each fragment that starts a codestream.
 *
 * @throws MalformedDicomError when the offsets or fragments disagree with the number of frames.
 */
export function frameFragments(file: DicomFile, pixelData: DicomElement, frames: number): Fragment[][] {
  const [table, ...fragments] = pixelData.fragments ?? [];
  if (table === undefined) throw new UnsupportedDicomError('Pixel Data is not encapsulated (no fragments)', { tag: PIXEL_DATA });
  if (fragments.length === 0) throw new MalformedDicomError('encapsulated Pixel Data has no fragments', { tag: PIXEL_DATA });
  const extended = file.dataSet.find((element) => element.tag === EXTENDED_OFFSET_TABLE);
  if (extended !== undefined && extended.valueLength > 0) return byOffsets(extendedOffsets(file, extended), fragments, frames, 'Extended Offset Table');
  if (table.valueLength > 0) return byOffsets(basicOffsets(file, table), fragments, frames, 'Basic Offset Table');
  if (fragments.length === frames) return fragments.map((fragment) => [fragment]);
  if (frames === 1) return [fragments];
  return byCodestreamStarts(file, fragments, frames);
}

/** Every frame's bytes (its fragments joined). */
export function encapsulatedFrames(file: DicomFile, pixelData: DicomElement, frames: number): Uint8Array[] {
  return withReader(file, (read) => frameFragments(file, pixelData, frames).map((parts) => joinFragments(parts, read)));
}

/** One frame's bytes, its fragments joined: for callers that take frames one at a time. */
export function readFrame(file: DicomFile, parts: readonly Fragment[]): Uint8Array {
  return withReader(file, (read) => joinFragments(parts, read));
}

function joinFragments(parts: readonly Fragment[], read: Reader): Uint8Array {
  if (parts.length === 1) return read((parts[0] as Fragment).valueOffset, (parts[0] as Fragment).valueLength);
  return Buffer.concat(parts.map((part) => read(part.valueOffset, part.valueLength)));
}

/**
 * The value of a new encapsulated Pixel Data, everything after its header (written with undefined
 * length): a Basic Offset Table item (frame offsets when asked, else empty), one fragment per frame
 * padded to even length, and the Sequence Delimitation Item.
 */
export function encapsulatedValue(frames: readonly Uint8Array[], withOffsetTable: boolean): Uint8Array {
  const padded = frames.map((frame) => frame.length + (frame.length & 1));
  const tableLength = withOffsetTable ? 4 * frames.length : 0;
  const total = 8 + tableLength + padded.reduce((sum, length) => sum + 8 + length, 0) + 8;
  const out = Buffer.alloc(total);
  let position = itemHeader(out, 0, 0xe000, tableLength);
  let offset = 0;
  if (withOffsetTable) {
    for (const length of padded) {
      if (offset > 0xffffffff) throw new UnsupportedDicomError('frames too large for a Basic Offset Table (32-bit offsets)', { tag: PIXEL_DATA });
      out.writeUInt32LE(offset, position);
      position += 4;
      offset += 8 + length;
    }
  }
  frames.forEach((frame, index) => {
    position = itemHeader(out, position, 0xe000, padded[index] as number);
    out.set(frame, position);
    position += padded[index] as number;
  });
  itemHeader(out, position, 0xe0dd, 0);
  return out;
}

function itemHeader(out: Buffer, position: number, element: number, length: number): number {
  out.writeUInt16LE(0xfffe, position);
  out.writeUInt16LE(element, position + 2);
  out.writeUInt32LE(length, position + 4);
  return position + 8;
}

/** Frames from offsets measured from the first fragment's item tag: each must start a fragment. */
function byOffsets(offsets: readonly number[], fragments: readonly Fragment[], frames: number, table: string): Fragment[][] {
  if (offsets.length !== frames) throw new MalformedDicomError(`the ${table} lists ${offsets.length} frames where the image has ${frames}`, { tag: PIXEL_DATA });
  const base = (fragments[0] as Fragment).start;
  const startIndex = new Map(fragments.map((fragment, index) => [fragment.start - base, index]));
  const starts = offsets.map((offset) => {
    const index = startIndex.get(offset);
    if (index === undefined) throw new MalformedDicomError(`an offset of the ${table} does not point at a fragment`, { tag: PIXEL_DATA });
    return index;
  });
  if (starts[0] !== 0 || starts.some((start, index) => index > 0 && start <= (starts[index - 1] as number))) {
    throw new MalformedDicomError(`the ${table} offsets do not start at the first fragment and increase`, { tag: PIXEL_DATA });
  }
  return starts.map((start, index) => fragments.slice(start, starts[index + 1] ?? fragments.length));
}

function basicOffsets(file: DicomFile, table: Fragment): number[] {
  if (table.valueLength % 4 !== 0) throw new MalformedDicomError('the Basic Offset Table length is not a multiple of 4', { tag: PIXEL_DATA });
  const bytes = withReader(file, (read) => read(table.valueOffset, table.valueLength));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: table.valueLength / 4 }, (_, index) => view.getUint32(4 * index, true));
}

function extendedOffsets(file: DicomFile, element: DicomElement): number[] {
  const bytes = valueBytes(file, element);
  if (bytes === undefined || element.valueLength % 8 !== 0) throw new MalformedDicomError('the Extended Offset Table is unreadable or not a list of 64-bit offsets', { tag: EXTENDED_OFFSET_TABLE });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: element.valueLength / 8 }, (_, index) => Number(view.getBigUint64(8 * index, true)));
}

/** No offsets and more fragments than frames: a frame starts at each JPEG SOI (FFD8) or J2K SOC+SIZ (FF4F FF51). */
function byCodestreamStarts(file: DicomFile, fragments: readonly Fragment[], frames: number): Fragment[][] {
  const heads = withReader(file, (read) => fragments.map((fragment) => read(fragment.valueOffset, Math.min(4, fragment.valueLength))));
  const isJpeg = (head: Uint8Array) => head.length >= 2 && head[0] === 0xff && head[1] === 0xd8;
  const isJ2k = (head: Uint8Array) => head.length >= 4 && head[0] === 0xff && head[1] === 0x4f && head[2] === 0xff && head[3] === 0x51;
  const first = heads[0] as Uint8Array;
  const starts = isJpeg(first) ? isJpeg : isJ2k(first) ? isJ2k : undefined;
  if (starts === undefined) {
    throw new UnsupportedDicomError(`${fragments.length} fragments for ${frames} frames without an offset table, and the fragments do not start with JPEG or JPEG 2000 markers to split them by`, { tag: PIXEL_DATA });
  }
  const result: Fragment[][] = [];
  fragments.forEach((fragment, index) => {
    if (starts(heads[index] as Uint8Array)) result.push([fragment]);
    else (result[result.length - 1] as Fragment[]).push(fragment);
  });
  if (result.length !== frames) throw new MalformedDicomError(`the fragments hold ${result.length} codestreams where the image has ${frames} frames`, { tag: PIXEL_DATA });
  return result;
}

type Reader = (offset: number, length: number) => Uint8Array;

/** Reads value bytes from memory when loaded, else from the file (opened once for the call). */
function withReader<T>(file: DicomFile, use: (read: Reader) => T): T {
  let fd: number | undefined;
  const read: Reader = (offset, length) => {
    const loaded = file.inflated ? file.inflated.subarray(offset, offset + length) : file.fileBytes.slice(offset, offset + length);
    if (loaded !== undefined && loaded.length === length) return loaded;
    fd ??= openForReading(file.path);
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const count = readSync(fd, buffer, done, length - done, offset + done);
      if (count === 0) throw new TruncatedDicomError('the file shrank while its pixel data was being read', { offset: offset + done, file: file.path });
      done += count;
    }
    return buffer;
  };
  try {
    return use(read);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function openForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw new DicomIoError(`cannot open file to read its pixel data: ${describeFsError(error)}`, { file: path, cause: error });
  }
}
