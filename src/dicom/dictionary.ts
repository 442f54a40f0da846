import { EXACT_ROWS, REPEATING_ROWS, DICTIONARY_EDITION, type DictionaryRow } from './dictionary.generated.js';
import { isGroupLengthTag, isPrivateCreatorTag, isPrivateTag, type Tag } from './tag.js';
import { isVr, type Vr } from './vr.js';

export { DICTIONARY_EDITION };

export interface DictionaryEntry {
  readonly tag: Tag;
  readonly keyword: string;
  /** Every VR PS3.6 allows, usually one; empty for item and delimitation tags. */
  readonly vrs: readonly Vr[];
  readonly vm: string;
  readonly retired: boolean;
}

function toEntry(tag: Tag, keyword: string, vr: string, vm: string, retired: 0 | 1): DictionaryEntry {
  const vrs = vr === '' ? [] : vr.split('|').filter(isVr);
  return { tag, keyword, vrs, vm, retired: retired === 1 };
}

// Rows are turned into entries when first asked for: every process and worker thread loads this
// module, and building all 5000 entries up front would slow each start-up.
const EXACT_ROW_BY_TAG: ReadonlyMap<Tag, DictionaryRow> = new Map(EXACT_ROWS.map((row) => [row[0] >>> 0, row]));
const exactEntries = new Map<Tag, DictionaryEntry>();

function exactEntry(tag: Tag): DictionaryEntry | undefined {
  let entry = exactEntries.get(tag);
  if (!entry) {
    const row = EXACT_ROW_BY_TAG.get(tag);
    if (!row) return undefined;
    entry = toEntry(tag, row[1], row[2], row[3], row[4]);
    exactEntries.set(tag, entry);
  }
  return entry;
}

const REPEATING = REPEATING_ROWS.map(([mask, value, keyword, vr, vm, retired]) => ({
  mask: mask >>> 0,
  value: value >>> 0,
  entry: toEntry(value >>> 0, keyword, vr, vm, retired),
}));

/** The PS3.6 entry for a standard tag, including repeating groups (50xx, 60xx, ...); undefined for private tags. */
export function lookupTag(tag: Tag): DictionaryEntry | undefined {
  if (isPrivateTag(tag)) return undefined;
  const exact = exactEntry(tag);
  if (exact) return exact;
  for (const row of REPEATING) {
    if (((tag & row.mask) >>> 0) === row.value) return row.entry;
  }
  return undefined;
}

export function keywordOf(tag: Tag): string {
  if (isPrivateCreatorTag(tag)) return 'PrivateCreator';
  if (isGroupLengthTag(tag)) return 'GroupLength';
  return lookupTag(tag)?.keyword ?? (isPrivateTag(tag) ? 'PrivateTag' : 'Unknown');
}

export interface ImplicitVrHints {
  /** Pixel Representation (0028,0103) seen so far: 1 selects SS for "US or SS" elements. */
  readonly signedPixels: boolean;
}

/**
 * The VR of an element read without one (Implicit VR). PS3.5 Annex A.1: OB-or-OW elements are OW;
 * "US or SS" follows Pixel Representation; private creators are LO; unknown and private elements are UN.
 */
export function implicitVrOf(tag: Tag, hints: ImplicitVrHints): Vr {
  if (isGroupLengthTag(tag)) return 'UL';
  if (isPrivateCreatorTag(tag)) return 'LO';
  const entry = lookupTag(tag);
  if (!entry || entry.vrs.length === 0) return 'UN';
  if (entry.vrs.length === 1) return entry.vrs[0] ?? 'UN';
  if (entry.vrs.includes('OW')) return 'OW';
  if (entry.vrs.includes('SS') && hints.signedPixels) return 'SS';
  return entry.vrs[0] ?? 'UN';
}

/** Every keyword, for name-based lookups (CLI, tests). */
export function tagForKeyword(keyword: string): Tag | undefined {
  keywords ??= new Map(EXACT_ROWS.filter((row) => row[1] !== '').map((row) => [row[1], row[0] >>> 0]));
  return keywords.get(keyword);
}

let keywords: Map<string, Tag> | undefined;
