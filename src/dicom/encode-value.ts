import { byteOrderOf } from './byte-order.js';
import { lookupTag } from './dictionary.js';
import type { ElementValue } from './edits.js';
import { InvalidValueError } from './errors.js';
import type { Encoding } from './model.js';
import { NUMERIC_VRS } from './numeric-vrs.js';
import { formatTag, isGroupLengthTag, isPrivateCreatorTag, type Tag } from './tag.js';
import {
  CHARSET_VRS,
  MAX_STRING_BYTES,
  PN_GROUP_MAX_CHARS,
  STRING_VRS,
  TEXT_VRS,
  hasShortLength,
  paddingByte,
  type Vr,
} from './vr.js';

/** The VR an added element gets when the edit does not say: the dictionary's first choice. */
export function defaultVrOf(tag: Tag): Vr {
  if (isGroupLengthTag(tag)) return 'UL';
  if (isPrivateCreatorTag(tag)) return 'LO';
  const vr = lookupTag(tag)?.vrs[0];
  if (!vr) throw new InvalidValueError(`no VR known for ${formatTag(tag)}; the edit must name one`, { tag });
  return vr;
}

/**
 * Encodes a value for `vr`: text joined with "\", numbers in the data set's byte order, padded
 * to even length with the VR's padding byte. Checks what the VR allows; messages never quote the value.
 */
export function encodeValue(tag: Tag, vr: Vr, value: ElementValue, littleEndian: boolean, characterSet: readonly string[]): Uint8Array {
  if (value instanceof Uint8Array) return padToEven(value, paddingByte(vr));
  if (typeof value === 'object' && 'items' in value) {
    throw new InvalidValueError(`items given for ${formatTag(tag)} with VR ${vr}`, { tag });
  }
  if (STRING_VRS.has(vr)) return encodeText(tag, vr, toStrings(tag, value), characterSet);
  return encodeNumbers(tag, vr, toNumbers(tag, vr, value), littleEndian);
}

function toStrings(tag: Tag, value: Exclude<ElementValue, Uint8Array | { readonly items: unknown }>): readonly string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (value.length === 0) return [];
  if (value.every((entry): entry is string => typeof entry === 'string')) return value;
  return (value as readonly (number | bigint)[]).map((entry) => {
    if (typeof entry === 'bigint') return entry.toString();
    if (typeof entry === 'number') return String(entry);
    throw new InvalidValueError(`mixed value types for ${formatTag(tag)}`, { tag });
  });
}

function toNumbers(tag: Tag, vr: Vr, value: Exclude<ElementValue, Uint8Array | { readonly items: unknown }>): readonly (number | bigint)[] {
  if (typeof value === 'number') return [value];
  if (typeof value === 'string') {
    if (value === '') return [];
    throw new InvalidValueError(`text given for ${formatTag(tag)}, which has the binary VR ${vr}`, { tag });
  }
  if (value.some((entry) => typeof entry === 'string')) {
    throw new InvalidValueError(`text given for ${formatTag(tag)}, which has the binary VR ${vr}`, { tag });
  }
  return value as readonly (number | bigint)[];
}

const ASCII_ONLY = /^[\x20-\x7e\r\n\t\f\x1b]*$/;

/**
 * The common case in one allocation: one ASCII value of a string VR, header and padding included
 * (a batch writes thousands of these). Undefined when the value needs the general path.
 */
export function encodeAsciiElement(tag: Tag, vr: Vr, value: string, encoding: Encoding): Uint8Array | undefined {
  if (!STRING_VRS.has(vr) || !ASCII_ONLY.test(value)) return undefined;
  checkString(tag, vr, value, value.length);
  const padded = value.length + (value.length % 2);
  const out = Buffer.allocUnsafe(headerSize(vr, encoding) + padded);
  const at = writeHeader(out, 0, tag, vr, padded, encoding);
  out.write(value, at, 'latin1');
  if (padded > value.length) out[at + value.length] = paddingByte(vr);
  return out;
}

/** What the VR allows of one string value: messages name the tag, never the value. */
function checkString(tag: Tag, vr: Vr, value: string, byteLength: number): void {
  if (!TEXT_VRS.has(vr) && value.includes('\\')) {
    throw new InvalidValueError(`a value for ${formatTag(tag)} contains a backslash, the value separator`, { tag });
  }
  const max = MAX_STRING_BYTES.get(vr);
  if (max !== undefined && byteLength > max) {
    throw new InvalidValueError(`a value for ${formatTag(tag)} is ${byteLength} bytes; VR ${vr} allows ${max}`, { tag });
  }
  if (vr === 'PN' && value.length > PN_GROUP_MAX_CHARS && value.split('=').some((group) => [...group].length > PN_GROUP_MAX_CHARS)) {
    throw new InvalidValueError(`a person name component group for ${formatTag(tag)} exceeds ${PN_GROUP_MAX_CHARS} characters`, { tag });
  }
  if (vr === 'UI' && value !== '' && !UID_SYNTAX.test(value)) {
    throw new InvalidValueError(`a value for ${formatTag(tag)} is not a valid UID`, { tag });
  }
}

function encodeText(tag: Tag, vr: Vr, values: readonly string[], characterSet: readonly string[]): Uint8Array {
  const encoded: Buffer[] = [];
  let length = Math.max(0, values.length - 1); // the backslashes between values
  for (const value of values) {
    const bytes = encodeString(tag, vr, value, characterSet);
    checkString(tag, vr, value, bytes.length);
    encoded.push(bytes);
    length += bytes.length;
  }
  // One buffer for the joined, padded value: this runs for every edited element of every file.
  const out = Buffer.allocUnsafe(length + (length % 2));
  let offset = 0;
  encoded.forEach((bytes, index) => {
    if (index > 0) out[offset++] = BACKSLASH;
    offset += bytes.copy(out, offset);
  });
  if (offset < out.length) out[offset] = paddingByte(vr);
  return out;
}

const UID_SYNTAX = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
const BACKSLASH = 0x5c;

/**
 * Text in the data set's character set. We write only what every declared repertoire can hold
 * unambiguously: ASCII anywhere, UTF-8 under ISO_IR 192, Latin-1 under ISO_IR 100.
 */
function encodeString(tag: Tag, vr: Vr, value: string, characterSet: readonly string[]): Buffer {
  if (ASCII_ONLY.test(value)) return Buffer.from(value, 'latin1');
  const first = (characterSet[0] ?? '').trim().toUpperCase().replace(/^ISO[-_ ]?IR[-_ ]?/, 'ISO_IR ');
  if (CHARSET_VRS.has(vr) && first === 'ISO_IR 192') return Buffer.from(value, 'utf8');
  if (CHARSET_VRS.has(vr) && first === 'ISO_IR 100' && [...value].every((char) => (char.codePointAt(0) ?? 0) <= 0xff)) {
    return Buffer.from(value, 'latin1');
  }
  throw new InvalidValueError(`a value for ${formatTag(tag)} cannot be written in the data set's character set`, { tag });
}

function encodeNumbers(tag: Tag, vr: Vr, values: readonly (number | bigint)[], littleEndian: boolean): Uint8Array {
  const numeric = NUMERIC_VRS.get(vr);
  if (numeric === undefined) {
    if (values.length === 0) return new Uint8Array(0);
    throw new InvalidValueError(`numbers given for ${formatTag(tag)}, which has VR ${vr}; give bytes`, { tag });
  }
  const order = byteOrderOf(littleEndian);
  const out = Buffer.allocUnsafe(values.length * numeric.size);
  values.forEach((value, index) => {
    try {
      numeric.write(out, index * numeric.size, value, order);
    } catch (error) {
      throw new InvalidValueError(`a value for ${formatTag(tag)} is out of range for VR ${vr}`, { tag, cause: error });
    }
  });
  return out;
}

function padToEven(bytes: Uint8Array, padding: number): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = padding;
  return out;
}

/** An element header: tag, then (explicit) VR and a 2- or 4-byte length, or (implicit) a 4-byte length. */
export function encodeHeader(tag: Tag, vr: Vr, length: number, encoding: Encoding): Uint8Array {
  const out = Buffer.allocUnsafe(headerSize(vr, encoding));
  writeHeader(out, 0, tag, vr, length, encoding);
  return out;
}

/** Bytes of an element header for `vr` in `encoding`: 8, or 12 for explicit VRs with a 4-byte length. */
export function headerSize(vr: Vr, encoding: Encoding): number {
  return !encoding.explicitVr || hasShortLength(vr) ? 8 : 12;
}

/** Writes an element header at `offset` of `out`; returns the offset just past it. */
export function writeHeader(out: Buffer, offset: number, tag: Tag, vr: Vr, length: number, encoding: Encoding): number {
  const order = byteOrderOf(encoding.littleEndian);
  order.writeUint16(out, offset, tag >>> 16);
  order.writeUint16(out, offset + 2, tag & 0xffff);
  if (!encoding.explicitVr) {
    order.writeUint32(out, offset + 4, length);
    return offset + 8;
  }
  out.write(vr, offset + 4, 'latin1');
  if (hasShortLength(vr)) {
    if (length > 0xffff) throw new InvalidValueError(`the value of ${formatTag(tag)} is ${length} bytes; VR ${vr} holds at most 65534`, { tag });
    order.writeUint16(out, offset + 6, length);
    return offset + 8;
  }
  out.writeUInt16LE(0, offset + 6); // reserved
  order.writeUint32(out, offset + 8, length);
  return offset + 12;
}

/** An Item, Item Delimitation or Sequence Delimitation header: tag and 4-byte length, no VR. */
export function encodeMarker(tag: Tag, length: number, littleEndian: boolean): Uint8Array {
  return encodeHeader(tag, 'UN', length, { explicitVr: false, littleEndian });
}
