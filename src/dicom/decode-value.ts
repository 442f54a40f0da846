import type { ByteOrder } from './byte-order.js';
import { TextDecoder } from 'node:util';
import { decodeText, shortAsciiText } from './character-set.js';
import { NUMERIC_VRS, type NumericVr } from './numeric-vrs.js';
import type { Tag } from './tag.js';
import { CHARSET_VRS, STRING_VRS, TEXT_VRS, type Vr } from './vr.js';

export type DecodedValue =
  | { readonly kind: 'text'; readonly values: readonly string[] }
  | { readonly kind: 'numbers'; readonly values: readonly (number | bigint)[] }
  | { readonly kind: 'tags'; readonly values: readonly Tag[] }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

const latin1 = new TextDecoder('latin1');

/** A default-repertoire string value without its padding (UIDs, codes, the transfer syntax). */
export function stringValue(bytes: Uint8Array): string {
  return stripPadding(decodeDefault(bytes));
}

/** Trailing NULs and spaces removed (a loop: this runs for every value a batch looks at). */
function stripPadding(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x00)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Default-repertoire bytes as text. */
function decodeDefault(bytes: Uint8Array): string {
  return shortAsciiText(bytes) ?? latin1.decode(bytes);
}

/**
 * Decodes an element value for display and comparison. Text follows the Specific Character Set
 * for the VRs that use it; OB, OW, UN and the other "other" VRs stay bytes.
 */
export function decodeValue(vr: Vr, bytes: Uint8Array, order: ByteOrder, characterSet: readonly string[] = []): DecodedValue {
  if (STRING_VRS.has(vr)) {
    const text = stripPadding(CHARSET_VRS.has(vr) ? decodeText(bytes, characterSet) : decodeDefault(bytes));
    if (TEXT_VRS.has(vr)) return { kind: 'text', values: [text] };
    return { kind: 'text', values: text === '' ? [] : text.split('\\') };
  }
  const numeric = NUMERIC_VRS.get(vr);
  if (numeric === undefined || vr.startsWith('O')) return { kind: 'bytes', bytes };
  if (vr === 'AT') return { kind: 'tags', values: readAll(numeric, bytes, order) as Tag[] };
  return { kind: 'numbers', values: readAll(numeric, bytes, order) };
}

function readAll(numeric: NumericVr, bytes: Uint8Array, order: ByteOrder): (number | bigint)[] {
  const values: (number | bigint)[] = [];
  for (let position = 0; position + numeric.size <= bytes.length; position += numeric.size) values.push(numeric.read(bytes, position, order));
  return values;
}

/** Reads one binary number; also used to show the first values of OW/OF/OD/OL/OV. */
export function readNumber(vr: Vr, bytes: Uint8Array, position: number, order: ByteOrder): number | bigint {
  const numeric = NUMERIC_VRS.get(vr);
  return numeric ? numeric.read(bytes, position, order) : (bytes[position] ?? 0);
}
