/**
 * One line of text that may carry a path or file name, as printed to a terminal or a log. Names are
 * chosen by whoever made the file: a raw newline forges a log line, an ESC sequence drives the
 * terminal, a bidi override shows a name reversed. Escaped here (`\n`, `\x1b`, `\u{202e}`): C0 and
 * C1 controls, DEL, the backslash (so an escape can be told from a name that spells one), line and
 * paragraph separators, bidi controls and lone surrogates; everything else prints as it is.
 * Applied once, where the text leaves for the terminal or log, never to text already escaped.
 */
export function printableText(text: string): string {
  return text.replace(UNPRINTABLE, escapeOne);
}

// C0, DEL, C1; U+061C, U+200E/F, U+2028/9, U+202A–E, U+2066–9 (bidi and line controls); a surrogate not in a pair.
const UNPRINTABLE = /[\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const SHORT: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(character: string): string {
  const short = SHORT[character];
  if (short !== undefined) return short;
  const code = character.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}
