// Decoding of text values under (0008,0005) Specific Character Set (PS3.5 6.1, PS3.3 C.12.1.1.2).
import { TextDecoder } from 'node:util';
// Used for display and for searching values; never for re-encoding untouched elements.

const SINGLE_BYTE: Readonly<Record<string, string>> = {
  'ISO_IR 6': 'latin1',
  'ISO_IR 100': 'latin1',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 203': 'iso-8859-15',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

// ISO 2022 terms: after the escape sequences are removed, the G1 bytes decode with these.
const ISO_2022: Readonly<Record<string, string>> = {
  'ISO 2022 IR 6': 'latin1',
  'ISO 2022 IR 100': 'latin1',
  'ISO 2022 IR 101': 'iso-8859-2',
  'ISO 2022 IR 109': 'iso-8859-3',
  'ISO 2022 IR 110': 'iso-8859-4',
  'ISO 2022 IR 144': 'iso-8859-5',
  'ISO 2022 IR 127': 'iso-8859-6',
  'ISO 2022 IR 126': 'iso-8859-7',
  'ISO 2022 IR 138': 'iso-8859-8',
  'ISO 2022 IR 148': 'iso-8859-9',
  'ISO 2022 IR 203': 'iso-8859-15',
  'ISO 2022 IR 166': 'windows-874',
  'ISO 2022 IR 149': 'euc-kr',
  'ISO 2022 IR 58': 'gbk',
};

/** Normalises the non-standard spellings seen in the wild ("ISO-IR 100", "ISO_IR100"). */
function normaliseTerm(term: string): string {
  const trimmed = term.trim().toUpperCase();
  const match = /^ISO[-_ ]?IR[-_ ]?(\d+)$/.exec(trimmed);
  return match ? `ISO_IR ${match[1]}` : trimmed;
}

const decoders = new Map<string, TextDecoder>();
function decoderFor(label: string): TextDecoder {
  let decoder = decoders.get(label);
  if (!decoder) {
    decoder = new TextDecoder(label);
    decoders.set(label, decoder);
  }
  return decoder;
}

/** Decodes a text value; `terms` are the values of Specific Character Set (empty = default repertoire). */
export function decodeText(bytes: Uint8Array, terms: readonly string[]): string {
  // A batch sees the same few declarations in every file: the decoding is chosen once for each.
  const key = terms.join('\\');
  let decode = decodersByDeclaration.get(key);
  if (!decode) {
    decode = chooseDecoding(terms);
    if (decodersByDeclaration.size < 256) decodersByDeclaration.set(key, decode);
  }
  return decode(bytes);
}

const decodersByDeclaration = new Map<string, (bytes: Uint8Array) => string>();

function chooseDecoding(terms: readonly string[]): (bytes: Uint8Array) => string {
  const normalised = terms.map(normaliseTerm);
  if (!normalised.some((term) => term.startsWith('ISO 2022'))) {
    const label = SINGLE_BYTE[normalised[0] ?? ''] ?? 'latin1';
    const decoder = decoderFor(label);
    if (label === 'latin1' || label === 'utf-8') return (bytes) => shortAsciiText(bytes) ?? decoder.decode(bytes);
    return (bytes) => decoder.decode(bytes);
  }
  if (normalised.some((term) => term === 'ISO 2022 IR 87' || term === 'ISO 2022 IR 159' || term === 'ISO 2022 IR 13')) return decodeJapanese;
  const decoder = decoderFor(normalised.map((term) => ISO_2022[term]).find((value) => value !== undefined && value !== 'latin1') ?? 'latin1');
  return (bytes) => decoder.decode(stripEscapes(bytes));
}

/** Values this short are looked at for being all ASCII. */
const SHORT_ASCII = 64;

/**
 * The text of a short all-ASCII value, else undefined: Latin-1 and UTF-8 read ASCII as ASCII, and
 * nearly every value a batch looks at is short and ASCII, so the decoder's overhead is skipped.
 */
export function shortAsciiText(bytes: Uint8Array): string | undefined {
  if (bytes.length > SHORT_ASCII) return undefined;
  for (let index = 0; index < bytes.length; index++) if ((bytes[index] as number) >= 0x80) return undefined;
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

const ESC = 0x1b;

/** Removes ISO 2022 escape sequences (ESC, intermediates 0x20-0x2F, one final byte). */
function stripEscapes(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index] ?? 0;
    if (byte !== ESC) {
      out.push(byte);
      continue;
    }
    index++;
    while (index < bytes.length && (bytes[index] ?? 0) >= 0x20 && (bytes[index] ?? 0) <= 0x2f) index++;
  }
  return Uint8Array.from(out);
}

/** Japanese ISO 2022: JIS X 0208 runs (ESC $ B) are 7-bit pairs; JIS X 0201 katakana (ESC ) I) is G1. */
function decodeJapanese(bytes: Uint8Array): string {
  let text = '';
  let mode: 'ascii' | 'kanji' = 'ascii';
  const kanji = decoderFor('euc-jp');
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index] ?? 0;
    if (byte === ESC) {
      const a = bytes[index + 1];
      const b = bytes[index + 2];
      mode = a === 0x24 ? 'kanji' : 'ascii';
      index += a === 0x24 && b === 0x28 ? 3 : 2;
      continue;
    }
    if (mode === 'kanji' && byte >= 0x21 && byte < 0x7f && index + 1 < bytes.length) {
      text += kanji.decode(Uint8Array.of(byte | 0x80, (bytes[index + 1] ?? 0) | 0x80));
      index++;
    } else if (byte >= 0xa1 && byte <= 0xdf) {
      text += String.fromCharCode(0xff61 + byte - 0xa1);
    } else {
      text += String.fromCharCode(byte);
    }
  }
  return text;
}
