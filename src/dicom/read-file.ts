import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DicomError, DicomIoError, MalformedDicomError, NotDicomError, TruncatedDicomError } from './errors.js';
import { EXPLICIT_LITTLE, type DicomElement, type Encoding } from './model.js';
import { describeFsError } from '../io/durable-files.js';
import { LoadedRegions } from '../io/loaded-regions.js';
import { TRANSFER_SYNTAX_UID, makeTag } from './tag.js';
import { detectEncoding } from './detect-encoding.js';
import { detectLayout, type FileLayout, type NotDicomProblem } from './detect-layout.js';
import { transferSyntaxFor, transferSyntaxOf, type TransferSyntax } from './transfer-syntax.js';
import { DataSetWalker, MemorySource, NeedMoreBytes, type ByteSource } from './walk-data-set.js';
import { hasShortLength, isVr } from './vr.js';
import { inflateDataSet, type InflateLimits } from './inflate-data-set.js';
import { stringValue } from './decode-value.js';

export interface DicomFile {
  readonly path: string;
  readonly size: number;
  readonly layout: FileLayout;
  /** File Meta Information elements (group 0002), file offsets; empty for raw data sets. */
  readonly meta: readonly DicomElement[];
  /** File offset where the data set starts (after the meta header). */
  readonly dataSetStart: number;
  readonly transferSyntax: TransferSyntax;
  readonly encoding: Encoding;
  /**
   * Top-level data set elements, offsets in the data set's space: file offsets, or offsets into the
   * inflated data set when `transferSyntax.deflated`.
   */
  readonly dataSet: readonly DicomElement[];
  /** Bytes held in memory: the meta, the data set up to Pixel Data, and anything after it. */
  readonly fileBytes: LoadedRegions;
  /** The inflated data set, for deflated transfer syntaxes. */
  readonly inflated: Buffer | undefined;
  readonly warnings: readonly string[];
}

export interface ReadOptions {
  /** Bytes read at first; grown as the header needs. */
  readonly initialChunk?: number;
  /**
   * Read the head into this buffer instead of a new one (its length is the initial chunk). For
   * batches: no allocation per file, so no garbage collection driven by large buffers. The result
   * is valid only until the buffer is used again.
   */
  readonly reuse?: Buffer;
  /** How far a deflated data set may inflate. @default DEFAULT_INFLATE_LIMITS */
  readonly inflateLimits?: InflateLimits | undefined;
}

// Headers are rarely larger; Pixel Data beyond it is copied from disk by the writer.
const DEFAULT_CHUNK = 1 << 20;

/**
 * Reads a DICOM file's structure: everything up to Pixel Data is loaded, Pixel Data's value stays
 * on disk (its fragments are located by reading their 8-byte headers), anything after it is loaded.
 * Memory use is independent of the pixel data's size. Errors name the file, never a value.
 */
export function readDicomFile(path: string, options: ReadOptions = {}): DicomFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw ioError(error, path, 'cannot open file for reading');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new DicomIoError('not a regular file', { file: path });
    return readOpenFile(fd, path, stat.size, options.reuse ?? options.initialChunk ?? DEFAULT_CHUNK, options.inflateLimits);
  } catch (error) {
    if (error instanceof DicomError) throw error.inFile(path);
    if (error instanceof NeedMoreBytes) throw new TruncatedDicomError('the file ends inside an element', { offset: error.upTo, file: path });
    if (typeof (error as NodeJS.ErrnoException)?.code === 'string' && (error as NodeJS.ErrnoException).code?.startsWith('E')) throw ioError(error, path, 'cannot read file');
    throw error;
  } finally {
    closeSync(fd);
  }
}

function readOpenFile(fd: number, path: string, size: number, initial: number | Buffer, inflateLimits: InflateLimits | undefined): DicomFile {
  let head = typeof initial === 'number' ? readRange(fd, 0, Math.min(size, initial)) : readInto(fd, initial.subarray(0, Math.min(size, initial.length)));
  const warnings: string[] = [];
  const detected = detectLayout(head, size);
  if ('problem' in detected) throw notDicom(detected.problem, size);
  const layout = detected.layout;
  const metaStart = layout === 'part10' ? 132 : 0;
  let metaEnd = metaStart;
  let meta: DicomElement[] = [];
  let transferSyntax: TransferSyntax;
  if (detected.layout === 'raw') {
    transferSyntax = transferSyntaxOf(detected.encoding.explicitVr, detected.encoding.littleEndian);
    warnings.push('no File Meta Information: read as a bare data set (ACR-NEMA style)');
  } else {
    for (;;) {
      try {
        metaEnd = findMetaEnd(head, metaStart, size);
        meta = new DataSetWalker(new MemorySource(head, 0, size), { warnings }).walk(metaStart, EXPLICIT_LITTLE, { end: metaEnd }).elements;
        break;
      } catch (error) {
        if (!(error instanceof NeedMoreBytes) || head.length >= size) throw error;
        head = readRange(fd, 0, Math.min(size, Math.max(error.upTo, head.length * 2)));
      }
    }
    const tsElement = meta.find((element) => element.tag === TRANSFER_SYNTAX_UID);
    const uid = tsElement ? stringValue(head.subarray(tsElement.valueOffset, tsElement.valueOffset + tsElement.valueLength)) : '';
    if (uid === '') {
      transferSyntax = detectDataSetSyntax(head, metaEnd, size, warnings);
    } else {
      transferSyntax = transferSyntaxFor(uid);
      if (!transferSyntax.known) warnings.push(`unknown transfer syntax; read as Little Endian Explicit`);
    }
  }
  const encoding: Encoding = { explicitVr: transferSyntax.explicitVr, littleEndian: transferSyntax.littleEndian };
  const common = { path, size, layout, meta, dataSetStart: metaEnd, transferSyntax, encoding, warnings };

  if (transferSyntax.deflated) {
    const compressed = size > head.length ? readRange(fd, 0, size) : head;
    const inflated = inflateDataSet(compressed.subarray(metaEnd), metaEnd, inflateLimits);
    const walker = new DataSetWalker(new MemorySource(inflated, 0, inflated.length), { warnings });
    let elements: DicomElement[];
    try {
      elements = walker.walk(0, encoding).elements;
    } catch (error) {
      throw error instanceof DicomError ? error.inInflatedDataSet() : error;
    }
    return { ...common, dataSet: elements, fileBytes: new LoadedRegions([{ start: 0, bytes: compressed.subarray(0, metaEnd) }]), inflated };
  }

  const warningsBeforeDataSet = warnings.length;
  for (;;) {
    try {
      return { ...common, ...walkWithPixelDataOnDisk(fd, head, size, metaEnd, encoding, warnings), inflated: undefined };
    } catch (error) {
      if (!(error instanceof NeedMoreBytes) || head.length >= size) throw error;
      warnings.length = warningsBeforeDataSet;
      head = readRange(fd, 0, Math.min(size, Math.max(error.upTo, head.length * 2)));
    }
  }
}

function walkWithPixelDataOnDisk(fd: number, head: Buffer, size: number, start: number, encoding: Encoding, warnings: string[]) {
  const headSource = new MemorySource(head, 0, size);
  const whole = head.length === size;
  const { elements, pixelData } = new DataSetWalker(headSource, { warnings }).walk(start, encoding, { stopAtPixelData: true });
  const regions = [{ start: 0, bytes: head }];
  if (!pixelData) return { dataSet: elements, fileBytes: new LoadedRegions(regions) };

  const pixelSource: ByteSource = whole ? headSource : new DiskSource(fd, size);
  let pixelElement: DicomElement;
  if (pixelData.undefinedLength) {
    const read = new DataSetWalker(pixelSource, { warnings }).readFragments(pixelData.tag, pixelData.valueOffset, encoding);
    pixelElement = { ...pixelData, valueLength: read.valueLength, end: read.end, fragments: read.fragments };
  } else {
    pixelElement = { ...pixelData, end: pixelData.valueOffset + pixelData.valueLength };
  }
  const dataSet = [...elements, pixelElement];
  if (pixelElement.end < size) {
    // Elements after Pixel Data (trailing padding, private groups, signatures) are small: load and walk them.
    const tailSource = whole ? headSource : new MemorySource(readRange(fd, pixelElement.end, size - pixelElement.end), pixelElement.end, size);
    if (!whole && tailSource instanceof MemorySource) regions.push({ start: pixelElement.end, bytes: tailSource.bytes as Buffer });
    dataSet.push(...new DataSetWalker(tailSource, { warnings }).walk(pixelElement.end, encoding).elements);
  }
  return { dataSet, fileBytes: new LoadedRegions(regions) };
}

/** Reads straight from the file for each view: used only to hop across pixel data fragment headers. */
class DiskSource implements ByteSource {
  constructor(
    private readonly fd: number,
    readonly dataEnd: number,
  ) {}

  view(position: number, length: number) {
    return { bytes: readRange(this.fd, position, length), index: 0 };
  }
}

function readRange(fd: number, position: number, length: number): Buffer {
  return readInto(fd, Buffer.allocUnsafe(length), position);
}

function readInto(fd: number, buffer: Buffer, position = 0): Buffer {
  const length = buffer.length;
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) throw new TruncatedDicomError('the file shrank while it was being read', { offset: position + done });
    done += read;
  }
  return buffer;
}

/** The meta header ends where group 0002 ends; its group length is not trusted (often missing or stale). */
function findMetaEnd(head: Buffer, start: number, size: number): number {
  let position = start;
  while (position + 2 <= size) {
    if (position + 12 > head.length && head.length < size) throw new NeedMoreBytes(Math.min(size, position + 12));
    if (head.readUInt16LE(position) !== 0x0002) break;
    if (position + 8 > size) throw new TruncatedDicomError('the file ends inside the File Meta Information', { offset: position });
    const tag = makeTag(head.readUInt16LE(position), head.readUInt16LE(position + 2));
    const vr = head.toString('latin1', position + 4, position + 6);
    if (!isVr(vr)) throw new MalformedDicomError('File Meta Information element with an invalid VR', { tag, offset: position + 4 });
    const short = hasShortLength(vr);
    if (!short && position + 12 > size) throw new TruncatedDicomError('the file ends inside the File Meta Information', { tag, offset: position });
    const length = short ? head.readUInt16LE(position + 6) : head.readUInt32LE(position + 8);
    position += (short ? 8 : 12) + length;
    if (position > size) throw new TruncatedDicomError('the file ends inside the File Meta Information', { tag, offset: start });
  }
  return position;
}

function notDicom(problem: NotDicomProblem, size: number): NotDicomError {
  switch (problem) {
    case 'short':
      return new NotDicomError(`only ${size} bytes, too short for a DICOM data set`);
    case 'group':
      return new NotDicomError('no DICM prefix at byte 128 and the first bytes are not a DICOM data set element', { offset: 0 });
    case 'length':
      return new NotDicomError('no DICM prefix at byte 128 and the first element length exceeds the file', { offset: 4 });
  }
}

/**
 * File Meta Information without a Transfer Syntax UID (absent or empty): read the data set as its
 * first element is encoded, as DCMTK and pydicom do. Only the three uncompressed syntaxes can be
 * told this way; anything else is refused.
 */
function detectDataSetSyntax(head: Buffer, metaEnd: number, size: number, warnings: string[]): TransferSyntax {
  if (metaEnd + 8 > size) throw new TruncatedDicomError('the file ends inside the File Meta Information', { offset: metaEnd });
  const guess = detectEncoding(head, metaEnd, size);
  if (!('encoding' in guess) || (!guess.encoding.explicitVr && !guess.encoding.littleEndian)) {
    throw new MalformedDicomError('File Meta Information has no Transfer Syntax UID (0002,0010), and the data set does not start like an uncompressed one', { tag: TRANSFER_SYNTAX_UID, offset: metaEnd });
  }
  const syntax = transferSyntaxOf(guess.encoding.explicitVr, guess.encoding.littleEndian);
  warnings.push(`File Meta Information has no Transfer Syntax UID (0002,0010): read as ${syntax.name}, as its first data element is encoded`);
  return syntax;
}

function ioError(error: unknown, path: string, what: string): DicomIoError {
  return new DicomIoError(`${what}: ${describeFsError(error)}`, { file: path, cause: error });
}
