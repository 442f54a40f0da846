// Element values as text, the way DCMTK's dcmdump prints them (its print() methods in dcmdata),
// and as JSON-friendly values. Text VRs are decoded with the Specific Character Set in force.
import type { ByteOrder } from './byte-order.js';
import { decodeValue, readNumber } from './decode-value.js';
import { formatTag } from './tag.js';
import { TEXT_VRS, type Vr } from './vr.js';

/** What dcmdump prints between the VR and the "#", and the VM it reports. */
export interface ValueText {
  readonly text: string;
  readonly vm: number;
}

/** dcmdump's line limit (DCM_OptPrintLineLength): longer values are cut and end in "...". */
const LINE_LIMIT = 70;

export const NO_VALUE = '(no value available)';

/** dcmdump's value text for a loaded, non-sequence element value. */
export function formatValue(vr: Vr, bytes: Uint8Array, order: ByteOrder, characterSet: readonly string[]): ValueText {
  if (isBinaryVr(vr)) return formatBinary(vr, bytes, order);
  const decoded = decodeValue(vr, bytes, order, characterSet);
  switch (decoded.kind) {
    case 'text': {
      const text = quoteControls(decoded.values.join('\\'));
      if (text === '') return { text: NO_VALUE, vm: 0 };
      const vm = TEXT_VRS.has(vr) ? 1 : decoded.values.length;
      // dcmdump keeps 66 characters of a long string: "[" + 66 + "..." fills the 70-character limit.
      return { text: text.length + 2 > LINE_LIMIT ? `[${text.slice(0, LINE_LIMIT - 4)}...` : `[${text}]`, vm };
    }
    case 'tags':
      return formatList(decoded.values.map(formatTag));
    case 'numbers':
      return formatList(decoded.values.map((value) => formatNumber(vr, value)));
    case 'bytes':
      return formatBinary(vr, decoded.bytes, order);
  }
}

/** A JSON-friendly value: strings, numbers (64-bit ones that do not fit a double as strings), or the dump text for binary VRs. */
export function jsonValue(vr: Vr, bytes: Uint8Array, order: ByteOrder, characterSet: readonly string[]): string[] | (number | string)[] | string {
  if (isBinaryVr(vr)) return bytes.length === 0 ? '' : formatBinary(vr, bytes, order).text;
  const decoded = decodeValue(vr, bytes, order, characterSet);
  switch (decoded.kind) {
    case 'text':
      return TEXT_VRS.has(vr) && decoded.values.join('') === '' ? [] : [...decoded.values];
    case 'tags':
      return decoded.values.map(formatTag);
    case 'numbers':
      return decoded.values.map(jsonNumber);
    case 'bytes':
      return formatBinary(vr, decoded.bytes, order).text;
  }
}

/** OB, OW, OF, OD, OL, OV and UN: shown as abbreviated lists, VM always 1 (as dcmdump reports). */
function isBinaryVr(vr: Vr): boolean {
  return vr === 'UN' || vr.startsWith('O');
}

function formatBinary(vr: Vr, bytes: Uint8Array, order: ByteOrder): ValueText {
  if (vr === 'OB' || vr === 'UN') return { text: hexList(bytes, 1, order), vm: 1 };
  if (vr === 'OW') return { text: hexList(bytes, 2, order), vm: 1 };
  const size = vr === 'OL' || vr === 'OF' ? 4 : 8;
  const values: string[] = [];
  for (let position = 0; position + size <= bytes.length; position += size) values.push(formatNumber(vr, readNumber(vr, bytes, position, order)));
  return { text: values.length === 0 ? NO_VALUE : formatList(values).text, vm: 1 };
}

/** OB/UN bytes as "%02x", OW words as "%04x", joined by "\": 22 bytes or 13 words, then "...". */
function hexList(bytes: Uint8Array, size: 1 | 2, order: ByteOrder): string {
  const count = Math.floor(bytes.length / size);
  if (count === 0) return NO_VALUE;
  const digits = size * 2;
  const fullLength = count * (digits + 1) - 1;
  const shown = fullLength > LINE_LIMIT ? Math.floor((LINE_LIMIT - 3 + 1) / (digits + 1)) : count;
  const parts: string[] = [];
  for (let index = 0; index < shown; index++) {
    const value = size === 1 ? (bytes[index] ?? 0) : order.uint16(bytes, index * 2);
    parts.push(value.toString(16).padStart(digits, '0'));
  }
  return parts.join('\\') + (shown < count ? '...' : '');
}

/** Numbers and tags joined by "\", stopping (with "...") before the line limit as dcmdump does. */
function formatList(values: readonly string[]): ValueText {
  if (values.length === 0) return { text: NO_VALUE, vm: 0 };
  let text = '';
  for (const [index, value] of values.entries()) {
    const next = text + (index === 0 ? '' : '\\') + value;
    const last = index + 1 === values.length;
    if (next.length <= LINE_LIMIT && (last || next.length + 3 <= LINE_LIMIT)) {
      text = next;
      continue;
    }
    text += '...';
    break;
  }
  return { text, vm: values.length };
}

function formatNumber(vr: Vr, value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (vr === 'FL' || vr === 'OF') return formatG(value, 9);
  if (vr === 'FD' || vr === 'OD') return formatG(value, 17);
  return String(value);
}

/** C's printf("%.<precision>g"), which dcmdump uses for FL (9 digits) and FD (17 digits). */
export function formatG(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value < 0 ? '-inf' : 'inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exponential = value.toExponential(precision - 1);
  const exponent = Number(exponential.slice(exponential.indexOf('e') + 1));
  if (exponent < -4 || exponent >= precision) {
    const [mantissa = '', power = ''] = exponential.split('e');
    const sign = power.startsWith('-') ? '-' : '+';
    return `${trimZeros(mantissa)}e${sign}${power.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return trimZeros(value.toFixed(precision - 1 - exponent));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function jsonNumber(value: number | bigint): number | string {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  return Number.isFinite(value) ? value : String(value);
}

/** Control characters (CR, LF, ESC, ...) as "&#N;", so that every element stays on one line. */
function quoteControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (character) => `&#${character.charCodeAt(0)};`);
}
