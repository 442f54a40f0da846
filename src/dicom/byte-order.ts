// The one module that imports dicom-parser. We use its byte-order strategy objects for every
// multi-byte read (the walker is ours: see README "How files are read"), and, for cross-checks,
// its own parse of a buffer reduced to element offsets.
import { createRequire } from 'node:module';
import type DicomParser from 'dicom-parser';

// Loaded as the CommonJS module it is: importing it as ESM makes Node scan its source for export
// names first, which cost every process and worker thread about 25 ms of start-up.
const dicomParser = createRequire(import.meta.url)('dicom-parser') as typeof DicomParser;

type Bytes = Uint8Array;

/** Reads numbers in one byte order; passed to the walker instead of `if (littleEndian)` everywhere. */
export interface ByteOrder {
  readonly littleEndian: boolean;
  uint16(bytes: Bytes, position: number): number;
  uint32(bytes: Bytes, position: number): number;
  int16(bytes: Bytes, position: number): number;
  int32(bytes: Bytes, position: number): number;
  float32(bytes: Bytes, position: number): number;
  float64(bytes: Bytes, position: number): number;
  /** 64-bit values (SV, UV, OV), which dicom-parser does not read. */
  bigUint64(bytes: Bytes, position: number): bigint;
  bigInt64(bytes: Bytes, position: number): bigint;
}

function makeByteOrder(littleEndian: boolean): ByteOrder {
  const parser = littleEndian ? dicomParser.littleEndianByteArrayParser : dicomParser.bigEndianByteArrayParser;
  const view = (bytes: Bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    littleEndian,
    uint16: (bytes, position) => parser.readUint16(bytes, position),
    uint32: (bytes, position) => parser.readUint32(bytes, position),
    int16: (bytes, position) => parser.readInt16(bytes, position),
    int32: (bytes, position) => parser.readInt32(bytes, position),
    float32: (bytes, position) => parser.readFloat(bytes, position),
    float64: (bytes, position) => parser.readDouble(bytes, position),
    bigUint64: (bytes, position) => view(bytes).getBigUint64(position, littleEndian),
    bigInt64: (bytes, position) => view(bytes).getBigInt64(position, littleEndian),
  };
}

export const LITTLE_ENDIAN: ByteOrder = makeByteOrder(true);
export const BIG_ENDIAN: ByteOrder = makeByteOrder(false);

export function byteOrderOf(littleEndian: boolean): ByteOrder {
  return littleEndian ? LITTLE_ENDIAN : BIG_ENDIAN;
}

/** One element as dicom-parser sees it, flattened in document order with its nesting depth. */
export interface DicomParserElement {
  readonly depth: number;
  readonly tag: number;
  readonly dataOffset: number;
  readonly length: number;
}

/**
 * dicom-parser's own reading of a Part 10 buffer, for cross-checking our walker in tests.
 * Throws whatever dicom-parser throws, wrapped in an Error.
 */
export function parseWithDicomParser(buffer: Buffer, transferSyntaxUid?: string): DicomParserElement[] {
  let dataSet: DicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(buffer, transferSyntaxUid === undefined ? {} : { TransferSyntaxUID: transferSyntaxUid });
  } catch (thrown) {
    throw new Error(`dicom-parser failed: ${typeof thrown === 'string' ? thrown : String((thrown as Error)?.message ?? thrown)}`);
  }
  const out: DicomParserElement[] = [];
  const walk = (set: DicomParser.DataSet, depth: number) => {
    for (const element of Object.values(set.elements)) {
      out.push({ depth, tag: Number.parseInt(element.tag.slice(1), 16) >>> 0, dataOffset: element.dataOffset, length: element.length });
      for (const item of element.items ?? []) {
        if (item.dataSet) walk(item.dataSet, depth + 1);
      }
    }
  };
  walk(dataSet, 0);
  return out;
}
