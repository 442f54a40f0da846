// How a data set without a Transfer Syntax UID is encoded, read from its first element: for bare
// data sets (ACR-NEMA style) and for File Meta Information that lacks (0002,0010).
import { byteOrderOf } from './byte-order.js';
import { isVr } from './vr.js';
import type { Encoding } from './model.js';

export type EncodingGuess =
  | { readonly encoding: Encoding }
  /** 'group': the first tag's group is not one a data set starts with; 'length': an implicit VR length runs past the end. */
  | { readonly problem: 'group' | 'length' };

/**
 * Reads the first element at `offset` (8 bytes must be in `head`): its group, read both ways, says
 * the byte order (the smaller reading is the true one); two characters at bytes 4-5 that form a VR
 * say Explicit VR. `end` is where the data ends.
 */
export function detectEncoding(head: Buffer, offset: number, end: number): EncodingGuess {
  const little = head.readUInt16LE(offset);
  const big = head.readUInt16BE(offset);
  const littleEndian = little <= big;
  const group = Math.min(little, big);
  if (!(group % 2 === 0 && group >= 0x0002 && group <= 0x0010)) return { problem: 'group' };
  const explicitVr = isVr(head.toString('latin1', offset + 4, offset + 6));
  const length = byteOrderOf(littleEndian).uint32(head, offset + 4);
  if (!explicitVr && length > end - offset) return { problem: 'length' };
  return { encoding: { explicitVr, littleEndian } };
}
