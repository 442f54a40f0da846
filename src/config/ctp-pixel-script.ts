import { tagForKeyword } from '../dicom/dictionary.js';
import { REGION_TESTS, type Region, type RegionEntry, type RegionMatch, type RegionTest } from '../pixels/region-list.js';

/** Where a problem is: 1-based line and column. */
export interface ScriptPosition {
  readonly line: number;
  readonly column: number;
}

/** A script that cannot be read; `problem` never quotes more of the file than a keyword or method name. */
export class CtpScriptError extends Error {
  constructor(
    readonly at: ScriptPosition,
    readonly problem: string,
  ) {
    super(`line ${at.line}, column ${at.column}: ${problem}`);
  }
}

const TESTS: ReadonlySet<string> = new Set(REGION_TESTS);

/**
 * Reads a region list in RSNA CTP's DicomPixelAnonymizer script language: each entry is a
 * condition in braces, `{ Modality.equals("US") * Manufacturer.containsIgnoreCase("TOSHIBA") }`
 * (`*` and, `+` or, `!` not, parentheses; an attribute by keyword or `[gggg,eeee]`), followed by
 * one or more regions `(x,y,w,h)`. Everything else is comment, as in CTP, whose own reader takes
 * every parenthesised group between two conditions as a region: so a group that is not four whole
 * numbers is an error here, not a comment. An entry's label is the last comment line before it.
 *
 * @throws CtpScriptError at the first problem.
 */
export function parseCtpPixelScript(text: string): RegionEntry[] {
  return new ScriptReader(text.replace(/^\uFEFF/, '')).entries();
}

class ScriptReader {
  #at = 0;
  #label = '';

  constructor(private readonly text: string) {}

  entries(): RegionEntry[] {
    const entries: RegionEntry[] = [];
    for (;;) {
      this.#skipComment();
      if (this.#at >= this.text.length) break;
      const start = this.#position();
      this.#at++; // the '{'
      const match = this.#or();
      this.#skipSpace();
      if (this.#peek() !== '}') this.#fail(this.#at >= this.text.length ? 'the condition is not closed with }' : 'expected * (and), + (or) or } after a test');
      this.#at++;
      const regions = this.#regions(start);
      entries.push({ where: `line ${start.line}`, label: this.#label, match, regions });
      this.#label = '';
    }
    return entries;
  }

  /** Comment text up to the next '{', remembering its last non-blank line as the next entry's label. */
  #skipComment(): void {
    const next = this.text.indexOf('{', this.#at);
    const end = next < 0 ? this.text.length : next;
    const comment = this.text.slice(this.#at, end);
    if (comment.includes('(') || comment.includes(')') || comment.includes('}')) {
      const offset = this.#at + comment.search(/[()}]/);
      this.#at = offset;
      this.#fail(this.text[offset] === '}' ? 'a } without its {' : 'a parenthesis outside a condition and not after one: comments hold no parentheses');
    }
    const lines = comment.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
    // Only the comment's own last line names the entry (not the text after the last entry's regions on its line).
    if (lines.length > 0) this.#label = lines[lines.length - 1] ?? '';
    this.#at = end;
  }

  #regions(entry: ScriptPosition): Region[] {
    const regions: Region[] = [];
    for (;;) {
      this.#skipSpace();
      if (this.#peek() !== '(') break;
      const start = this.#at;
      const close = this.text.indexOf(')', start);
      const group = close < 0 ? undefined : /^\(\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(this.text.slice(start, close + 1));
      if (!group) this.#fail('a region is (x,y,width,height): four whole numbers, the width and height not negative');
      const [x, y, width, height] = group.slice(1).map(Number) as [number, number, number, number];
      if (width === 0 || height === 0) this.#fail('a region of no width or no height blanks nothing');
      regions.push([x, y, width, height]);
      this.#at = close + 1;
    }
    if (regions.length === 0) {
      this.#at = this.#offsetOf(entry);
      this.#fail('the condition has no region after it: (x,y,width,height)');
    }
    return regions;
  }

  #or(): RegionMatch {
    const terms = [this.#and()];
    for (this.#skipSpace(); this.#peek() === '+'; this.#skipSpace()) {
      this.#at++;
      terms.push(this.#and());
    }
    return terms.length === 1 ? (terms[0] as RegionMatch) : { any: terms };
  }

  #and(): RegionMatch {
    const factors = [this.#factor()];
    for (this.#skipSpace(); this.#peek() === '*'; this.#skipSpace()) {
      this.#at++;
      factors.push(this.#factor());
    }
    return factors.length === 1 ? (factors[0] as RegionMatch) : { all: factors };
  }

  #factor(): RegionMatch {
    this.#skipSpace();
    const char = this.#peek();
    if (char === '!') {
      this.#at++;
      return { not: this.#factor() };
    }
    if (char === '(') {
      this.#at++;
      const inner = this.#or();
      this.#skipSpace();
      if (this.#peek() !== ')') this.#fail('expected ) to close the parenthesis');
      this.#at++;
      return inner;
    }
    return this.#test();
  }

  #test(): RegionMatch {
    const tag = this.#attribute();
    if (this.#peek() !== '.') this.#fail('expected .method("value") after the attribute');
    this.#at++;
    const method = /^[A-Za-z]+/.exec(this.text.slice(this.#at))?.[0] ?? '';
    if (!TESTS.has(method)) this.#fail(method === '' ? 'expected a method name after the dot' : `unknown method ${method} (one of ${REGION_TESTS.join(', ')})`);
    this.#at += method.length;
    this.#skipSpace();
    if (this.#peek() !== '(') this.#fail(`expected ("value") after ${method}`);
    this.#at++;
    this.#skipSpace();
    const valueAt = this.#at;
    const value = this.#string();
    const afterValue = this.#at;
    this.#at = valueAt;
    if (method === 'matches') this.#checkPattern(value);
    if ((method === 'isLessThan' || method === 'isGreaterThan') && !Number.isFinite(Number(value.trim()))) this.#fail(`${method} compares numbers: its value must be one`);
    this.#at = afterValue;
    this.#skipSpace();
    if (this.#peek() !== ')') this.#fail(`expected ) after the value of ${method}`);
    this.#at++;
    return { tag, test: method as RegionTest, value };
  }

  #attribute(): number {
    this.#skipSpace();
    const bracketed = /^\[\s*([0-9A-Fa-f]{4})\s*,\s*([0-9A-Fa-f]{4})\s*\]/.exec(this.text.slice(this.#at));
    if (bracketed) {
      this.#at += bracketed[0].length;
      return Number.parseInt(`${bracketed[1]}${bracketed[2]}`, 16) >>> 0;
    }
    const keyword = /^[A-Za-z][A-Za-z0-9]*/.exec(this.text.slice(this.#at))?.[0];
    if (keyword === undefined) this.#fail('expected an attribute: a keyword such as Modality, or [gggg,eeee]');
    const tag = tagForKeyword(keyword);
    if (tag === undefined) this.#fail(`${keyword} is not a keyword of the data dictionary (give the tag as [gggg,eeee])`);
    this.#at += keyword.length;
    return tag;
  }

  #string(): string {
    if (this.#peek() !== '"') this.#fail('expected a value in double quotes');
    const start = this.#at;
    let value = '';
    for (this.#at++; this.#at < this.text.length; this.#at++) {
      const char = this.text[this.#at] as string;
      if (char === '"') {
        this.#at++;
        return value;
      }
      if (char === '\n') break;
      if (char === '\\' && (this.text[this.#at + 1] === '"' || this.text[this.#at + 1] === '\\')) this.#at++;
      value += this.text[this.#at];
    }
    this.#at = start;
    return this.#fail('the value is not closed with " on its line');
  }

  #checkPattern(pattern: string): void {
    try {
      new RegExp(pattern, 'u');
    } catch {
      this.#fail('the value of matches is not a regular expression');
    }
  }

  #skipSpace(): void {
    while (this.#at < this.text.length && /\s/.test(this.text[this.#at] as string)) this.#at++;
  }

  #peek(): string | undefined {
    return this.text[this.#at];
  }

  #position(offset = this.#at): ScriptPosition {
    const before = this.text.slice(0, offset);
    const line = before.split('\n').length;
    return { line, column: offset - before.lastIndexOf('\n') };
  }

  #offsetOf(position: ScriptPosition): number {
    let offset = 0;
    for (let line = 1; line < position.line; line++) offset = this.text.indexOf('\n', offset) + 1;
    return offset + position.column - 1;
  }

  #fail(problem: string): never {
    throw new CtpScriptError(this.#position(), problem);
  }
}
