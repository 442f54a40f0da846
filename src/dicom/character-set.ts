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
const singleByteDecoders = new Map<string, TextDecoder>();
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
  // Nearly every file declares one of a few single-byte sets: decide once per declaration.
  const key = terms.length === 0 ? '' : terms.length === 1 ? (terms[0] ?? '') : undefined;
  let decoder = key === undefined ? undefined : singleByteDecoders.get(key);
  if (decoder === undefined && key !== undefined && !key.includes('2022')) {
    decoder = decoderFor(SINGLE_BYTE[normaliseTerm(key)] ?? 'latin1');
    if (singleByteDecoders.size < 256) singleByteDecoders.set(key, decoder);
  }
  if (decoder) return decoder.decode(bytes);
  const normalised = terms.map(normaliseTerm);
  const usesIso2022 = normalised.some((term) => term.startsWith('ISO 2022'));
  if (!usesIso2022) return decoderFor(SINGLE_BYTE[normalised[0] ?? ''] ?? 'latin1').decode(bytes);
  if (normalised.some((term) => term === 'ISO 2022 IR 87' || term === 'ISO 2022 IR 159' || term === 'ISO 2022 IR 13')) {
    return decodeJapanese(bytes);
  }
  const label = normalised.map((term) => ISO_2022[term]).find((value) => value !== undefined && value !== 'latin1') ?? 'latin1';
  return decoderFor(label).decode(stripEscapes(bytes));
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
