// Binary numeric VRs (PS3.5 Table 6.2-1): one table for reading (decode-value.ts) and writing
// (encode-value.ts) their values in either byte order.
import type { ByteOrder } from './byte-order.js';
import { makeTag } from './tag.js';
import type { Vr } from './vr.js';

export interface NumericVr {
  /** Bytes of one value. */
  readonly size: number;
  read(bytes: Uint8Array, position: number, order: ByteOrder): number | bigint;
  /** Throws a RangeError for a value the VR cannot hold. */
  write(out: Buffer, position: number, value: number | bigint, order: ByteOrder): void;
}

const UINT16: NumericVr = {
  size: 2,
  read: (bytes, position, order) => order.uint16(bytes, position),
  write: (out, position, value, order) => order.writeUint16(out, position, Number(value)),
};

const INT16: NumericVr = {
  size: 2,
  read: (bytes, position, order) => order.int16(bytes, position),
  write: (out, position, value, order) => order.writeInt16(out, position, Number(value)),
};

const UINT32: NumericVr = {
  size: 4,
  read: (bytes, position, order) => order.uint32(bytes, position),
  write: (out, position, value, order) => order.writeUint32(out, position, Number(value)),
};

const INT32: NumericVr = {
  size: 4,
  read: (bytes, position, order) => order.int32(bytes, position),
  write: (out, position, value, order) => order.writeInt32(out, position, Number(value)),
};

const FLOAT32: NumericVr = {
  size: 4,
  read: (bytes, position, order) => order.float32(bytes, position),
  write: (out, position, value, order) => order.writeFloat32(out, position, Number(value)),
};

const FLOAT64: NumericVr = {
  size: 8,
  read: (bytes, position, order) => order.float64(bytes, position),
  write: (out, position, value, order) => order.writeFloat64(out, position, Number(value)),
};

const INT64: NumericVr = {
  size: 8,
  read: (bytes, position, order) => order.bigInt64(bytes, position),
  write: (out, position, value, order) => order.writeBigInt64(out, position, BigInt(value)),
};

const UINT64: NumericVr = {
  size: 8,
  read: (bytes, position, order) => order.bigUint64(bytes, position),
  write: (out, position, value, order) => order.writeBigUint64(out, position, BigInt(value)),
};

/** An attribute tag: group, then element, each a 16-bit number in the data set's byte order. */
const ATTRIBUTE_TAG: NumericVr = {
  size: 4,
  read: (bytes, position, order) => makeTag(order.uint16(bytes, position), order.uint16(bytes, position + 2)),
  write: (out, position, value, order) => {
    const tag = Number(value) >>> 0;
    order.writeUint16(out, position, tag >>> 16);
    order.writeUint16(out, position + 2, tag & 0xffff);
  },
};

/** Each binary numeric VR, "other" ones (OW, OL, OF, OD, OV) included: they are lists of such numbers. */
export const NUMERIC_VRS: ReadonlyMap<Vr, NumericVr> = new Map<Vr, NumericVr>([
  ['US', UINT16], ['SS', INT16], ['UL', UINT32], ['SL', INT32], ['FL', FLOAT32], ['FD', FLOAT64], ['SV', INT64], ['UV', UINT64], ['AT', ATTRIBUTE_TAG],
  ['OW', UINT16], ['OL', UINT32], ['OF', FLOAT32], ['OD', FLOAT64], ['OV', UINT64],
]);
