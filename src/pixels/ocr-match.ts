import type { OcrBox, OcrWord } from './ocr-words.js';

// Which OCR words of a frame are patient text to blank. Conservative the safe way: a word is
// blanked when it matches one of the file's own identifying values (allowing OCR's usual misreads)
// or merely looks like a date, an ID or a labelled name. Pure: words in, reasons and boxes out.

/** Why a word is blanked; messages and reports name the reason, never the word. */
export type BlankReason = 'identifying' | 'date' | 'id' | 'name';

export interface WordMatch {
  /** Index into the words given. */
  readonly index: number;
  readonly reason: BlankReason;
}

/** Words that name a person's name after them on a line (after normalisation). */
const NAME_LABELS = new Set(['NAME', 'PATIENT', 'PAT', 'PT', 'PATIENTNAME', 'PATNAME', 'PTNAME', 'NOM', 'NAMN', 'NOMBRE']);
const MONTHS = 'JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?|SEP(?:T(?:EMBER)?)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?';
const SEPARATOR = '[-./ ]';
const DATE_PATTERNS: readonly RegExp[] = [
  // 1964-03-12, 1964.03.12, 1964/3/12
  /^(1[89]|20)\d\d[-./]\d{1,2}[-./]\d{1,2}$/,
  // 12.03.1964, 03/12/1964, 12-03-64
  /^\d{1,2}[-./]\d{1,2}[-./](\d\d|\d{4})$/,
  // 12-MAR-1964, 12 Mar 1964, 12MAR1964, 12.March.64
  new RegExp(`^\\d{1,2}${SEPARATOR}?(${MONTHS})${SEPARATOR}?(\\d\\d|\\d{4})$`),
  // Mar 12 1964, March 12, 1964
  new RegExp(`^(${MONTHS})${SEPARATOR}?\\d{1,2},?${SEPARATOR}?(\\d\\d|\\d{4})$`),
];
/** What OCR makes of a DICOM name's caret: the caret itself or a look-alike. */
const CARETS = '\\^*"”“„~`\'’°';
const PERSON_NAME = new RegExp(`^\\p{Lu}[\\p{L}'-]+[${CARETS}]+\\p{L}[\\p{L}^'-]*$`, 'u');
const ENDS_WITH_CARET = new RegExp(`^\\p{Lu}[\\p{L}'-]+[${CARETS}]$`, 'u');
/** Letters OCR reads for digits, folded to those digits where a token holds digits. */
const DIGIT_LOOKALIKES: Readonly<Record<string, string>> = { O: '0', Q: '0', D: '0', I: '1', L: '1', Z: '2', S: '5', B: '8', G: '6' };

/** Upper case, letters and digits only. */
function compact(text: string): string {
  return text.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
}

function tokensOf(text: string): string[] {
  return text.toUpperCase().split(/[^\p{L}\p{N}]+/u).filter((token) => token.length > 0);
}

/** A token with a digit in it, read as digits throughout ("1234567B" is "12345678"). */
function foldDigits(token: string): string {
  return /\d/.test(token) ? token.replace(/[A-Z]/g, (letter) => DIGIT_LOOKALIKES[letter] ?? letter) : token;
}

/** Edit distance, stopping early once it passes `limit`. */
function withinEdits(a: string, b: string, limit: number): boolean {
  if (Math.abs(a.length - b.length) > limit) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...current) > limit) return false;
    previous = current;
  }
  return (previous[b.length] ?? Infinity) <= limit;
}

/** OCR misreads a letter or two: one edit allowed from four characters, two from eight. */
function allowedEdits(length: number): number {
  return length >= 8 ? 2 : length >= 4 ? 1 : 0;
}

interface Needles {
  /** Parts of the identifying values (name components, IDs), digits folded. */
  readonly tokens: readonly string[];
  /** Whole values without punctuation ("DOEJANE", "19640312"), digits folded. */
  readonly wholes: readonly string[];
}

function needlesOf(identifying: readonly string[]): Needles {
  const tokens = new Set<string>();
  const wholes = new Set<string>();
  for (const value of identifying) {
    // One letter (a middle initial) would blank every such letter on the screen.
    for (const token of tokensOf(value)) if (token.length >= 2) tokens.add(foldDigits(token));
    const whole = foldDigits(compact(value));
    if (whole.length >= 2) wholes.add(whole);
  }
  return { tokens: [...tokens], wholes: [...wholes] };
}

function matchesIdentifying(word: string, needles: Needles): boolean {
  const whole = foldDigits(compact(word));
  if (whole.length === 0) return false;
  for (const needle of needles.wholes) {
    if (whole === needle) return true;
    // OCR joins neighbours ("ID12345678") or splits a value ("1234" "5678"): four characters do.
    if (needle.length >= 4 && whole.includes(needle)) return true;
    if (whole.length >= 4 && needle.includes(whole)) return true;
    if (withinEdits(whole, needle, allowedEdits(needle.length))) return true;
  }
  for (const token of tokensOf(word).map(foldDigits)) {
    for (const needle of needles.tokens) {
      if (token === needle || withinEdits(token, needle, allowedEdits(needle.length))) return true;
    }
  }
  return false;
}

function looksLikeDate(text: string): boolean {
  const trimmed = text.toUpperCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').replace(/\s+/g, ' ');
  if (DATE_PATTERNS.some((pattern) => pattern.test(trimmed))) return true;
  // 19640312: a plausible year, month and day run together.
  const digits = /^(1[89]\d\d|20\d\d)(\d\d)(\d\d)$/.exec(trimmed);
  return digits !== null && Number(digits[2]) >= 1 && Number(digits[2]) <= 12 && Number(digits[3]) >= 1 && Number(digits[3]) <= 31;
}

function looksLikeId(text: string): boolean {
  const letters = compact(text);
  return letters.length >= 5 && (letters.match(/\p{N}/gu)?.length ?? 0) >= 4;
}

/** "Name:", "Patient", "Pat.Name:": the label, its punctuation aside. */
function isLabel(text: string): boolean {
  return NAME_LABELS.has(compact(text));
}

/** A word that can be part of a name: starts with a capital, then letters (and ^ , ' - .). */
function nameLike(text: string): boolean {
  return /^\p{Lu}[\p{L}^'’.,-]*$/u.test(text.trim());
}

/**
 * `after` follows `before` in the same field: on the same line, less than one and a half line
 * heights to its right (OCR puts a screen's side-by-side fields on one line).
 */
function nextTo(before: OcrWord | undefined, after: OcrWord | undefined): boolean {
  if (!before || !after || before.line !== after.line) return false;
  const gap = after.box.x - (before.box.x + before.box.width);
  return gap <= 1.5 * Math.max(before.box.height, after.box.height);
}

/** Each word to blank and why, in word order; a word is listed once, with the first reason that holds. */
export function matchWords(words: readonly OcrWord[], identifying: readonly string[]): WordMatch[] {
  const needles = needlesOf(identifying);
  const reasons = new Map<number, BlankReason>();
  const mark = (index: number, reason: BlankReason) => {
    if (!reasons.has(index)) reasons.set(index, reason);
  };
  words.forEach((word, index) => {
    if (matchesIdentifying(word.text, needles)) mark(index, 'identifying');
    else if (looksLikeDate(word.text)) mark(index, 'date');
    else if (looksLikeId(word.text)) mark(index, 'id');
    else if (PERSON_NAME.test(word.text.trim())) mark(index, 'name');
  });
  // Runs of words on one line: dates OCR splits ("12 Mar 1964"), names split at the caret
  // ("DOE”" "JANE"), and capitalised words after a name label ("Name: Jane Doe").
  for (let start = 0; start < words.length; start++) {
    const sameLine = (offset: number) => nextTo(words[start + offset - 1], words[start + offset]);
    for (const length of [2, 3, 4]) {
      if (!sameLine(length - 1)) break;
      const run = words.slice(start, start + length).map((word) => word.text).join(' ');
      if (looksLikeDate(run)) for (let offset = 0; offset < length; offset++) mark(start + offset, 'date');
    }
    const first = words[start];
    const next = words[start + 1];
    if (first && next && sameLine(1) && ENDS_WITH_CARET.test(first.text.trim()) && nameLike(next.text)) {
      mark(start, 'name');
      mark(start + 1, 'name');
    }
    if (first && isLabel(first.text)) {
      for (let offset = 1; offset <= 4 && sameLine(offset) && nameLike(words[start + offset]?.text ?? ''); offset++) mark(start + offset, 'name');
    }
  }
  return [...reasons].sort(([a], [b]) => a - b).map(([index, reason]) => ({ index, reason }));
}

/**
 * The rectangles to blank in a frame of `bounds`: the box of each matched word, `padding` pixels
 * larger on every side, clipped to the frame. In word order; empty rectangles are left out.
 */
export function wordsToBlank(words: readonly OcrWord[], identifying: readonly string[], padding: number, bounds: { readonly width: number; readonly height: number }): OcrBox[] {
  const boxes: OcrBox[] = [];
  for (const { index } of matchWords(words, identifying)) {
    const box = words[index]?.box;
    if (!box) continue;
    const x = Math.max(0, box.x - padding);
    const y = Math.max(0, box.y - padding);
    const right = Math.min(bounds.width, box.x + box.width + padding);
    const bottom = Math.min(bounds.height, box.y + box.height + padding);
    if (right > x && bottom > y) boxes.push({ x, y, width: right - x, height: bottom - y });
  }
  return boxes;
}
