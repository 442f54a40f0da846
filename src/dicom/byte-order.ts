// The one module that imports dicom-parser. We use its byte-order strategy objects for every
// multi-byte read (the walker is ours: see README "How files are read"). Writes, which it lacks,
// use Buffer's. (Tests cross-check our walker against its own parse: test/helpers/dicom-parser-reading.ts.)
import { createRequire } from 'node:module';
import type DicomParser from 'dicom-parser';

// Loaded as the CommonJS module it is: importing it as ESM makes Node scan its source for export
// names first, which slows the start-up of every process and worker thread.
const dicomParser = createRequire(import.meta.url)('dicom-parser') as typeof DicomParser;

type Bytes = Uint8Array;

/** Reads and writes numbers in one byte order; passed around instead of `if (littleEndian)` everywhere. */
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
  /** Writers throw a RangeError for a value the type cannot hold. */
  writeUint16(out: Buffer, position: number, value: number): void;
  writeUint32(out: Buffer, position: number, value: number): void;
  writeInt16(out: Buffer, position: number, value: number): void;
  writeInt32(out: Buffer, position: number, value: number): void;
  writeFloat32(out: Buffer, position: number, value: number): void;
  writeFloat64(out: Buffer, position: number, value: number): void;
  writeBigUint64(out: Buffer, position: number, value: bigint): void;
  writeBigInt64(out: Buffer, position: number, value: bigint): void;
}

type Writers = Pick<ByteOrder, 'writeUint16' | 'writeUint32' | 'writeInt16' | 'writeInt32' | 'writeFloat32' | 'writeFloat64' | 'writeBigUint64' | 'writeBigInt64'>;

const LITTLE_ENDIAN_WRITERS: Writers = {
  writeUint16: (out, position, value) => void out.writeUInt16LE(value, position),
  writeUint32: (out, position, value) => void out.writeUInt32LE(value, position),
  writeInt16: (out, position, value) => void out.writeInt16LE(value, position),
  writeInt32: (out, position, value) => void out.writeInt32LE(value, position),
  writeFloat32: (out, position, value) => void out.writeFloatLE(value, position),
  writeFloat64: (out, position, value) => void out.writeDoubleLE(value, position),
  writeBigUint64: (out, position, value) => void out.writeBigUInt64LE(value, position),
  writeBigInt64: (out, position, value) => void out.writeBigInt64LE(value, position),
};

const BIG_ENDIAN_WRITERS: Writers = {
  writeUint16: (out, position, value) => void out.writeUInt16BE(value, position),
  writeUint32: (out, position, value) => void out.writeUInt32BE(value, position),
  writeInt16: (out, position, value) => void out.writeInt16BE(value, position),
  writeInt32: (out, position, value) => void out.writeInt32BE(value, position),
  writeFloat32: (out, position, value) => void out.writeFloatBE(value, position),
  writeFloat64: (out, position, value) => void out.writeDoubleBE(value, position),
  writeBigUint64: (out, position, value) => void out.writeBigUInt64BE(value, position),
  writeBigInt64: (out, position, value) => void out.writeBigInt64BE(value, position),
};

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
    ...(littleEndian ? LITTLE_ENDIAN_WRITERS : BIG_ENDIAN_WRITERS),
  };
}

export const LITTLE_ENDIAN: ByteOrder = makeByteOrder(true);
export const BIG_ENDIAN: ByteOrder = makeByteOrder(false);

export function byteOrderOf(littleEndian: boolean): ByteOrder {
  return littleEndian ? LITTLE_ENDIAN : BIG_ENDIAN;
}
