/**
 * A strict JSON reader (RFC 8259) that keeps where each value starts, so that a configuration file's
 * errors can name the line and column of the offending entry. JSON.parse gives neither.
 */
import { JsonCursor, JsonSyntaxError, type JsonPosition } from './json-cursor.js';

export { JsonSyntaxError, type JsonPosition } from './json-cursor.js';

export type JsonValue =
  | { readonly kind: 'object'; readonly at: JsonPosition; readonly members: readonly JsonMember[] }
  | { readonly kind: 'array'; readonly at: JsonPosition; readonly items: readonly JsonValue[] }
  | { readonly kind: 'string'; readonly at: JsonPosition; readonly value: string }
  | { readonly kind: 'number'; readonly at: JsonPosition; readonly value: number }
  | { readonly kind: 'boolean'; readonly at: JsonPosition; readonly value: boolean }
  | { readonly kind: 'null'; readonly at: JsonPosition };

export interface JsonMember {
  readonly key: string;
  readonly at: JsonPosition;
  readonly value: JsonValue;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const WORDS = [['true', true], ['false', false], ['null', null]] as const;

/**
 * Parses `text` (a leading byte order mark is allowed) into values with positions. Duplicate keys in
 * one object are an error: which one would count?
 *
 * @throws JsonSyntaxError at the first problem.
 */
export function parseJsonWithPositions(text: string): JsonValue {
  const cursor = new JsonCursor(text);
  const value = readValue(cursor);
  cursor.skipSpace();
  if (cursor.at < text.length) cursor.fail('unexpected text after the end of the JSON value');
  return value;
}

function readValue(cursor: JsonCursor): JsonValue {
  cursor.skipSpace();
  const start = cursor.position();
  const char = cursor.char;
  if (char === '{') return readObject(cursor, start);
  if (char === '[') return readArray(cursor, start);
  if (char === '"') return { kind: 'string', at: start, value: readString(cursor) };
  return (
    readWord(cursor, start) ??
    readNumber(cursor, start) ??
    cursor.fail(char === undefined ? 'unexpected end of the file' : 'expected a value (a string, number, object, array, true, false or null)')
  );
}

/** Reads an object from its `{`. */
function readObject(cursor: JsonCursor, start: JsonPosition): JsonValue {
  cursor.at++;
  const members: JsonMember[] = [];
  cursor.skipSpace();
  if (cursor.char === '}') {
    cursor.at++;
    return { kind: 'object', at: start, members };
  }
  for (;;) {
    members.push(readMember(cursor, members));
    cursor.skipSpace();
    if (cursor.char === ',') {
      cursor.at++;
      continue;
    }
    if (cursor.char === '}') {
      cursor.at++;
      return { kind: 'object', at: start, members };
    }
    cursor.fail('expected "," or "}" (a trailing comma or a missing comma?)');
  }
}

/** Reads `"key": value`; a key already among `members` is an error. */
function readMember(cursor: JsonCursor, members: readonly JsonMember[]): JsonMember {
  cursor.skipSpace();
  const keyAt = cursor.position();
  if (cursor.char !== '"') cursor.fail('expected a quoted key');
  const key = readString(cursor);
  if (members.some((member) => member.key === key)) throw new JsonSyntaxError(keyAt, `the key "${key}" appears twice in one object`);
  cursor.expect(':', '":" after a key');
  return { key, at: keyAt, value: readValue(cursor) };
}

/** Reads an array from its `[`. */
function readArray(cursor: JsonCursor, start: JsonPosition): JsonValue {
  cursor.at++;
  const items: JsonValue[] = [];
  cursor.skipSpace();
  if (cursor.char === ']') {
    cursor.at++;
    return { kind: 'array', at: start, items };
  }
  for (;;) {
    items.push(readValue(cursor));
    cursor.skipSpace();
    if (cursor.char === ',') {
      cursor.at++;
      continue;
    }
    if (cursor.char === ']') {
      cursor.at++;
      return { kind: 'array', at: start, items };
    }
    cursor.fail('expected "," or "]"');
  }
}

/** Reads a string from its opening quote to its closing one, escapes decoded. */
function readString(cursor: JsonCursor): string {
  cursor.at++; // the opening quote
  let out = '';
  for (;;) {
    const char = cursor.char;
    if (char === undefined) return cursor.fail('unterminated string');
    if (char === '"') {
      cursor.at++;
      return out;
    }
    if (char < ' ') return cursor.fail('a control character (such as a line break) inside a string');
    if (char === '\\') {
      out += readEscape(cursor);
      continue;
    }
    out += char;
    cursor.at++;
  }
}

/** Reads one escape from its backslash: the character it stands for. */
function readEscape(cursor: JsonCursor): string {
  const { text, at } = cursor;
  const escape = text[at + 1] ?? '';
  if (escape === 'u') {
    const hex = text.slice(at + 2, at + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) cursor.fail('a \\u escape needs four hex digits');
    cursor.at += 6;
    return String.fromCharCode(Number.parseInt(hex, 16));
  }
  const replacement = ESCAPES[escape];
  if (replacement === undefined) return cursor.fail('an unknown escape in a string');
  cursor.at += 2;
  return replacement;
}

/** Reads true, false or null; undefined when none of them starts here. */
function readWord(cursor: JsonCursor, start: JsonPosition): JsonValue | undefined {
  for (const [word, value] of WORDS) {
    if (cursor.text.startsWith(word, cursor.at)) {
      cursor.at += word.length;
      return value === null ? { kind: 'null', at: start } : { kind: 'boolean', at: start, value };
    }
  }
  return undefined;
}

/** Reads a number; undefined when none starts here. */
function readNumber(cursor: JsonCursor, start: JsonPosition): JsonValue | undefined {
  NUMBER.lastIndex = cursor.at;
  const number = NUMBER.exec(cursor.text);
  if (!number) return undefined;
  cursor.at += number[0].length;
  return { kind: 'number', at: start, value: Number(number[0]) };
}
