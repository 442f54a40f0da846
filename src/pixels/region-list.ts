import { byteOrderOf } from '../dicom/byte-order.js';
import { decodeValue, type DecodedValue } from '../dicom/decode-value.js';
import { valueAt } from '../dicom/element-access.js';
import type { DicomFile } from '../dicom/read-file.js';
import type { Tag } from '../dicom/tag.js';

/** The tests of CTP's pixel-anonymizer language, on an attribute's value as text. */
export const REGION_TESTS = [
  'equals',
  'equalsIgnoreCase',
  'contains',
  'containsIgnoreCase',
  'startsWith',
  'startsWithIgnoreCase',
  'endsWith',
  'endsWithIgnoreCase',
  'matches',
  'isLessThan',
  'isGreaterThan',
] as const;
export type RegionTest = (typeof REGION_TESTS)[number];

/** Which images an entry is for: every child holds, one holds, not, or a test on one attribute. */
export type RegionMatch =
  | { readonly all: readonly RegionMatch[] }
  | { readonly any: readonly RegionMatch[] }
  | { readonly not: RegionMatch }
  | { readonly tag: Tag; readonly test: RegionTest; readonly value: string };

/** `[x, y, width, height]` in pixels of the stored image, (0,0) top left; a negative x or y counts from the right or bottom edge. */
export type Region = readonly [number, number, number, number];

export interface RegionEntry {
  /** Where the entry is written: `line 244` of its file, or the shipped list's entry id. */
  readonly where: string;
  /** The device it was written for, as its author named it ('' when unnamed). */
  readonly label: string;
  readonly match: RegionMatch;
  readonly regions: readonly Region[];
}

export interface RegionList {
  /** How outputs and the mapping name the list: the shipped list with its source commit, or a site file's name. */
  readonly name: string;
  /** A site file's SHA-256 (hex), which names it with its name. */
  readonly sha256?: string;
  readonly entries: readonly RegionEntry[];
}

export interface RegionChoice {
  readonly list: RegionList;
  readonly entry: RegionEntry;
}

/** A list's name as outputs carry it, at most `width` printable ASCII characters, a site file's hash kept whole. */
export function regionListLabel(list: RegionList, width: number): string {
  const hash = list.sha256 === undefined ? '' : ` sha256:${list.sha256.slice(0, 12)}`;
  return `${list.name.replace(/[^\x20-\x5b\x5d-\x7e]/g, '_').slice(0, Math.max(0, width - hash.length))}${hash}`;
}

/**
 * The first entry that matches the image, the lists in order (a site's list before the shipped
 * one), as in CTP: the first match wins, so an earlier, broader entry shadows later ones.
 */
export function firstMatchingEntry(lists: readonly RegionList[], file: DicomFile): RegionChoice | undefined {
  const text = attributeTexts(file);
  for (const list of lists) {
    const entry = list.entries.find((candidate) => matches(candidate.match, text));
    if (entry !== undefined) return { list, entry };
  }
  return undefined;
}

function matches(match: RegionMatch, text: (tag: Tag) => string): boolean {
  if ('all' in match) return match.all.every((child) => matches(child, text));
  if ('any' in match) return match.any.some((child) => matches(child, text));
  if ('not' in match) return !matches(match.not, text);
  return passes(match.test, text(match.tag), match.value);
}

const TESTS: Readonly<Record<RegionTest, (value: string, argument: string) => boolean>> = {
  equals: (value, argument) => value === argument,
  equalsIgnoreCase: (value, argument) => value.toUpperCase() === argument.toUpperCase(),
  contains: (value, argument) => value.includes(argument),
  containsIgnoreCase: (value, argument) => value.toUpperCase().includes(argument.toUpperCase()),
  startsWith: (value, argument) => value.startsWith(argument),
  startsWithIgnoreCase: (value, argument) => value.toUpperCase().startsWith(argument.toUpperCase()),
  endsWith: (value, argument) => value.endsWith(argument),
  endsWithIgnoreCase: (value, argument) => value.toUpperCase().endsWith(argument.toUpperCase()),
  // Over the whole value, as Java's String.matches (CTP's) reads it.
  matches: (value, argument) => new RegExp(`^(?:${argument})$`, 'u').test(value),
  isLessThan: (value, argument) => compareNumbers(value, argument, (a, b) => a < b),
  isGreaterThan: (value, argument) => compareNumbers(value, argument, (a, b) => a > b),
};

function passes(test: RegionTest, value: string, argument: string): boolean {
  return TESTS[test](value, argument);
}

function compareNumbers(value: string, argument: string, compare: (a: number, b: number) => boolean): boolean {
  const a = Number(value.trim());
  const b = Number(argument.trim());
  return value.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) && compare(a, b);
}

/**
 * An attribute's value as the lists test it: top-level (the File Meta Information for group 0002),
 * its values joined by backslashes, numbers in decimal; '' when absent.
 */
function attributeTexts(file: DicomFile): (tag: Tag) => string {
  const cache = new Map<Tag, string>();
  return (tag) => {
    let text = cache.get(tag);
    if (text === undefined) {
      const value = tag >>> 16 === 0x0002 ? metaValue(file, tag) : valueAt(file, [], tag);
      text = value === undefined ? '' : value.kind === 'text' || value.kind === 'numbers' ? value.values.map(String).join('\\').trim() : '';
      cache.set(tag, text);
    }
    return text;
  };
}

/** A File Meta Information value: always Explicit VR Little Endian, in the file's own bytes. */
function metaValue(file: DicomFile, tag: Tag): DecodedValue | undefined {
  const element = file.meta.find((candidate) => candidate.tag === tag);
  const bytes = element && file.fileBytes.slice(element.valueOffset, element.valueOffset + element.valueLength);
  return element && bytes && decodeValue(element.vr, bytes, byteOrderOf(true));
}
