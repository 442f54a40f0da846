import { encodeValue } from '../dicom/encode-value.js';
import { InvalidValueError } from '../dicom/errors.js';
import type { Tag } from '../dicom/tag.js';
import type { Vr } from '../dicom/vr.js';
import { datePattern } from './date-notations.js';
import type { ProfileEntry } from './profile.js';

/**
 * Text the Clean options (and Retain Patient Characteristics' C) keep with the identifying values
 * cut out. Other VRs in a C row (Maker Note, Overlay Data: bytes; retired Curve Data: mixed) cannot
 * be cleaned, so the Basic Profile's code stays for them.
 */
export const CLEANABLE_VRS: ReadonlySet<string> = new Set<Vr>(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'CS']);

/**
 * Kept text that the safety net searches for the file's identifying values (its Clean needles): free
 * and short text of every standard attribute the table keeps, kept private elements, kept SR text.
 * Code strings (CS) are enumerated values; names, dates and UIDs have rules of their own.
 */
export const SAFETY_NET_VRS: ReadonlySet<Vr> = new Set<Vr>(['LO', 'LT', 'SH', 'ST', 'UT', 'UC']);

/** Whether a Table E.1-1 row's C can be honoured: a text attribute, or a sequence whose items are cleaned. */
export function isCleanableRow(entry: ProfileEntry): boolean {
  return entry.vr === 'SQ' || CLEANABLE_VRS.has(entry.vr);
}

/** What replaces each identifying value, longest first: the next is tried when the VR's length would be exceeded. */
export const MARKERS: Readonly<Record<'text' | 'code', readonly string[]>> = {
  text: ['[removed]', '[x]', '*'],
  // A CS holds upper-case letters, digits, space and underscore only.
  code: ['REMOVED', 'X'],
};

/** The kinds of identifying value, each matched its own way. */
export type NeedleKind = 'name' | 'text' | 'words' | 'phone' | 'date';

/**
 * Values that say nothing about a person even when an identifying attribute holds them: answers,
 * placeholders (and the ANON- of our own pseudonyms), titles and name particles. They would cut
 * ordinary words out of a description.
 */
const GENERIC = new Set([
  'yes', 'no', 'none', 'unknown', 'other', 'n/a', 'na', 'nil', 'null', 'test', 'anonymized', 'anonymous', 'removed', 'anon',
  'male', 'female', 'dr', 'med', 'prof', 'mr', 'mrs', 'ms', 'herr', 'frau', 'von', 'van', 'der', 'den', 'de', 'la',
  'le', 'du', 'di', 'del', 'zu', 'und', 'and', 'the', 'str', 'strasse', 'straße', 'street', 'road', 'weg', 'platz',
]);

/** Shortest usable needle, in letters and digits, by kind; a value of digits only needs 4, as "12" is in every measurement. */
const MIN_CHARS: Readonly<Record<Exclude<NeedleKind, 'phone' | 'date'>, number>> = { name: 2, text: 3, words: 4 };
const MIN_DIGITS = 4;
const MIN_PHONE_DIGITS = 6;

/** Whether `value` (trimmed of punctuation) may be cut out of text: long enough, and not a generic word. */
export function isUsableNeedle(value: string, kind: 'name' | 'text' | 'words'): boolean {
  const core = value.replace(/[^\p{L}\p{N}]/gu, '');
  if (GENERIC.has(value.toLowerCase())) return false;
  if (/^\p{N}+$/u.test(core)) return core.length >= MIN_DIGITS;
  return [...core].length >= MIN_CHARS[kind];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const GERMAN_SPELLED_OUT: readonly [RegExp, string][] = [[/ä/gu, 'ae'], [/ö/gu, 'oe'], [/ü/gu, 'ue'], [/Ä/gu, 'Ae'], [/Ö/gu, 'Oe'], [/Ü/gu, 'Ue'], [/ß/gu, 'ss']];

/** Collects a file's identifying values and turns them into one matcher. */
export class NeedleSet {
  private readonly literals = new Set<string>();
  private readonly patterns = new Set<string>();

  /** Adds one identifying value of `kind`; unusable ones (too short, generic) are dropped here. */
  add(value: string, kind: NeedleKind): void {
    if (kind === 'date') {
      const pattern = datePattern(value.trim());
      if (pattern) this.patterns.add(pattern);
      return;
    }
    if (kind === 'phone') {
      const digits = value.replace(/\D/g, '');
      if (digits.length >= MIN_PHONE_DIGITS) this.patterns.add([...digits].join('[\\s./()-]*'));
      return;
    }
    const trimmed = value.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (trimmed === '') return;
    if (kind === 'words') {
      // An address: the whole, each line or comma-separated part, and each word long enough to name a place.
      this.add(trimmed, 'text');
      for (const part of trimmed.split(/[,;\r\n^]+/)) if (part.trim() !== trimmed) this.add(part, 'text');
      for (const word of trimmed.split(/[\s,;^]+/)) if (word !== trimmed && isUsableNeedle(word, 'words')) this.addLiteral(word);
      return;
    }
    if (isUsableNeedle(trimmed, kind)) this.addLiteral(trimmed);
  }

  private addLiteral(value: string): void {
    this.literals.add(value);
    let spelled = value;
    for (const [letter, spelling] of GERMAN_SPELLED_OUT) spelled = spelled.replace(letter, spelling);
    if (spelled !== value) this.literals.add(spelled);
  }

  /**
   * One case-insensitive, Unicode-aware matcher: dates first, then the literals longest first, so
   * that "Maximilian" is cut whole rather than as "Max"; a hit must not touch a letter or digit on
   * either side. Literals that `kept` holds too (values an option keeps) are left out. Undefined
   * when there is nothing to look for.
   */
  matcher(kept?: NeedleSet): RegExp | undefined {
    const keptLiterals = new Set([...(kept?.literals ?? [])].map((value) => value.toLowerCase()));
    const literals = [...this.literals]
      .filter((value) => !keptLiterals.has(value.toLowerCase()))
      .sort((a, b) => b.length - a.length)
      .map((value) => escape(value).replace(/\s+/g, '\\s+'));
    const alternatives = [...this.patterns, ...literals];
    if (alternatives.length === 0) return undefined;
    return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  }
}

/** `text` with every hit of `matcher` replaced by `marker`; the same string when nothing matched. */
export function cutOut(text: string, matcher: RegExp | undefined, marker: string): string {
  if (!matcher) return text;
  matcher.lastIndex = 0;
  return text.replace(matcher, marker);
}

/**
 * The values of a text element with the identifying values cut out: 'unchanged' when nothing
 * matched (the element is then copied byte for byte), undefined when no marker gives a value the
 * VR and the data set's character set can hold (the caller then writes a dummy).
 */
export function cleanedValues(tag: Tag, vr: Vr, values: readonly string[], matcher: RegExp | undefined, characterSet: readonly string[]): readonly string[] | 'unchanged' | undefined {
  if (!matcher || values.every((value) => !hits(value, matcher))) return 'unchanged';
  for (const marker of vr === 'CS' ? MARKERS.code : MARKERS.text) {
    const cleaned = values.map((value) => cutOut(value, matcher, marker));
    if (writable(tag, vr, cleaned, characterSet)) return cleaned;
  }
  return undefined;
}

function hits(value: string, matcher: RegExp): boolean {
  matcher.lastIndex = 0;
  return matcher.test(value);
}

/** Whether the writer can encode the values: within the VR's length, in the character set. */
function writable(tag: Tag, vr: Vr, values: readonly string[], characterSet: readonly string[]): boolean {
  try {
    encodeValue(tag, vr, values, true, characterSet);
    return true;
  } catch (error) {
    if (error instanceof InvalidValueError) return false;
    throw error;
  }
}
