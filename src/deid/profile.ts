import { isPrivateTag, type Tag } from '../dicom/tag.js';
import { BEYOND_TABLE_ROWS, type BeyondTableRow } from './beyond-table.js';
import { ACTION_COLUMNS, PRIVATE_ATTRIBUTES_ROW, PROFILE_EDITION, PROFILE_ROWS } from './profile.generated.js';

export { PROFILE_EDITION };

/** PS3.15 Table E.1-1a action codes, as the table writes them. */
export const ACTION_CODES = ['D', 'Z', 'X', 'K', 'C', 'U', 'Z/D', 'X/Z', 'X/D', 'X/Z/D', 'X/Z/U*'] as const;
export type ActionCode = (typeof ACTION_CODES)[number];

export function isActionCode(text: string): text is ActionCode {
  return (ACTION_CODES as readonly string[]).includes(text);
}

type ActionColumn = (typeof ACTION_COLUMNS)[number];

/** One row of Table E.1-1: the Basic Profile action and, where an option changes it, the option's action. */
export interface ProfileEntry {
  readonly tag: Tag;
  readonly mask: number;
  readonly keyword: string;
  readonly vr: string;
  readonly actions: Readonly<Record<ActionColumn, ActionCode | undefined>>;
}

function toEntry(row: (typeof PROFILE_ROWS)[number]): ProfileEntry {
  const [tag, mask, keyword, vr, ...codes] = row;
  const actions = Object.fromEntries(
    ACTION_COLUMNS.map((column, index) => {
      const code = codes[index] ?? '';
      if (code !== '' && !isActionCode(code)) throw new Error(`profile row ${keyword}: unknown action ${code}`);
      return [column, code === '' ? undefined : code];
    }),
  ) as Record<ActionColumn, ActionCode | undefined>;
  return { tag: tag >>> 0, mask: mask >>> 0, keyword, vr, actions };
}

/** Table E.1-1 as the standard writes it. */
export const PROFILE: readonly ProfileEntry[] = PROFILE_ROWS.map(toEntry);

function beyondTableEntry(row: BeyondTableRow): ProfileEntry {
  const actions = Object.fromEntries(ACTION_COLUMNS.map((column) => [column, column === 'basic' ? row.basic : undefined]));
  return { tag: row.tag, mask: 0xffffffff, keyword: row.keyword, vr: row.vr, actions: actions as ProfileEntry['actions'] };
}

/** The rows we apply: the table's, and the attributes it misses that identify someone (beyond-table.ts). */
export const RULE_ROWS: readonly ProfileEntry[] = [...PROFILE, ...BEYOND_TABLE_ROWS.map(beyondTableEntry)];

const EXACT = new Map(RULE_ROWS.filter((entry) => entry.mask === 0xffffffff).map((entry) => [entry.tag, entry]));
const REPEATING = RULE_ROWS.filter((entry) => entry.mask !== 0xffffffff);

/** The rule row for a standard tag (repeating groups 50xx and 60xx included; beyond-table rows too); undefined when not listed. */
export function profileEntryFor(tag: Tag): ProfileEntry | undefined {
  if (isPrivateTag(tag)) return undefined;
  return EXACT.get(tag) ?? REPEATING.find((entry) => ((tag & entry.mask) >>> 0) === entry.tag);
}

/** The rule for every private element (X; Retain Safe Private would make it C). */
export const PRIVATE_RULE: { readonly basic: ActionCode } = { basic: PRIVATE_ATTRIBUTES_ROW.basic as ActionCode };

export function profileEntryByKeyword(keyword: string): ProfileEntry | undefined {
  return RULE_ROWS.find((entry) => entry.keyword === keyword);
}
