/**
 * A strict JSON reader (RFC 8259) that keeps where each value starts, so that a configuration file's
 * errors can name the line and column of the offending entry. JSON.parse gives neither.
 */

/** Where a value starts: 1-based line and column. */
export interface JsonPosition {
  readonly line: number;
  readonly column: number;
}

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

/** Text that is not JSON; `problem` says what was expected, never quoting the text. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly at: JsonPosition,
    readonly problem: string,
  ) {
    super(`line ${at.line}, column ${at.column}: ${problem}`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Parses `text` (a leading byte order mark is allowed) into values with positions. Duplicate keys in
 * one object are an error: which one would count?
 *
 * @throws JsonSyntaxError at the first problem.
 */
export function parseJsonWithPositions(text: string): JsonValue {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Line starts seen so far, to turn an offset into line and column.
  let line = 1;
  let lineStart = at;
  const position = (): JsonPosition => ({ line, column: at - lineStart + 1 });
  const fail = (problem: string): never => {
    throw new JsonSyntaxError(position(), problem);
  };
  const skipSpace = () => {
    for (;;) {
      const char = text[at];
      if (char === '\n') {
        at++;
        line++;
        lineStart = at;
      } else if (char === ' ' || char === '\t' || char === '\r') at++;
      else return;
    }
  };
  const expect = (char: string, what: string) => {
    skipSpace();
    if (text[at] !== char) fail(`expected ${what}`);
    at++;
  };

  const readString = (): string => {
    at++; // the opening quote
    let out = '';
    for (;;) {
      const char = text[at];
      if (char === undefined) return fail('unterminated string');
      if (char === '"') {
        at++;
        return out;
      }
      if (char < ' ') return fail('a control character (such as a line break) inside a string');
      if (char === '\\') {
        const escape = text[at + 1] ?? '';
        if (escape === 'u') {
          const hex = text.slice(at + 2, at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('a \\u escape needs four hex digits');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          at += 6;
        } else {
          const replacement = ESCAPES[escape];
          if (replacement === undefined) fail('an unknown escape in a string');
          out += replacement;
          at += 2;
        }
        continue;
      }
      out += char;
      at++;
    }
  };

  const readValue = (): JsonValue => {
    skipSpace();
    const start = position();
    const char = text[at];
    if (char === '{') {
      at++;
      const members: JsonMember[] = [];
      skipSpace();
      if (text[at] === '}') {
        at++;
        return { kind: 'object', at: start, members };
      }
      for (;;) {
        skipSpace();
        const keyAt = position();
        if (text[at] !== '"') fail('expected a quoted key');
        const key = readString();
        if (members.some((member) => member.key === key)) throw new JsonSyntaxError(keyAt, `the key "${key}" appears twice in one object`);
        expect(':', '":" after a key');
        members.push({ key, at: keyAt, value: readValue() });
        skipSpace();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === '}') {
          at++;
          return { kind: 'object', at: start, members };
        }
        fail('expected "," or "}" (a trailing comma or a missing comma?)');
      }
    }
    if (char === '[') {
      at++;
      const items: JsonValue[] = [];
      skipSpace();
      if (text[at] === ']') {
        at++;
        return { kind: 'array', at: start, items };
      }
      for (;;) {
        items.push(readValue());
        skipSpace();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === ']') {
          at++;
          return { kind: 'array', at: start, items };
        }
        fail('expected "," or "]"');
      }
    }
    if (char === '"') return { kind: 'string', at: start, value: readString() };
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return value === null ? { kind: 'null', at: start } : { kind: 'boolean', at: start, value };
      }
    }
    NUMBER.lastIndex = at;
    const number = NUMBER.exec(text);
    if (number) {
      at += number[0].length;
      return { kind: 'number', at: start, value: Number(number[0]) };
    }
    return fail(char === undefined ? 'unexpected end of the file' : 'expected a value (a string, number, object, array, true, false or null)');
  };

  const value = readValue();
  skipSpace();
  if (at < text.length) fail('unexpected text after the end of the JSON value');
  return value;
}
