import { plural, type DumpJson } from '../src/index.js';
import { printable, truncateEnd } from './truncate.js';

type DumpElement = DumpJson['dataSet'][number];

export type Change = 'same' | 'changed' | 'removed' | 'added';

/** One attribute of the before/after view: its value in the original and in the anonymized copy. */
export interface CompareRow {
  /** Tag path, e.g. "(0008,1140)#0001(0008,1155)": sorts parents before their items. */
  readonly key: string;
  readonly depth: number;
  readonly keyword: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
  readonly change: Change;
}

/** Longest value kept per cell; the screen shows far less. */
const VALUE_LIMIT = 200;

interface Flat {
  readonly depth: number;
  readonly keyword: string;
  readonly value: string;
}

/** The attributes of two dumps, aligned by tag path (meta header first), each marked as changed or not. */
export function compareDumps(before: DumpJson, after: DumpJson): CompareRow[] {
  const left = flatten(before);
  const right = flatten(after);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  return keys.map((key) => {
    const a = left.get(key);
    const b = right.get(key);
    const change: Change = a === undefined ? 'added' : b === undefined ? 'removed' : a.value === b.value ? 'same' : 'changed';
    const shape = (a ?? b) as Flat;
    return { key, depth: shape.depth, keyword: shape.keyword, before: a?.value, after: b?.value, change };
  });
}

function flatten(dump: DumpJson): Map<string, Flat> {
  const rows = new Map<string, Flat>();
  const visit = (elements: readonly DumpElement[], prefix: string, depth: number) => {
    for (const element of elements) {
      let key = `${prefix}${element.tag}`;
      for (let copy = 2; rows.has(key); copy++) key = `${prefix}${element.tag}~${copy}`;
      rows.set(key, { depth, keyword: element.keyword || element.tag, value: valueText(element) });
      element.items?.forEach((item, index) => visit(item, `${key}#${String(index + 1).padStart(4, '0')}`, depth + 1));
    }
  };
  visit(dump.meta, '', 0);
  visit(dump.dataSet, '', 0);
  return rows;
}

function valueText(element: DumpElement): string {
  if (element.items) return `(${plural(element.items.length, 'item')})`;
  if (element.fragments !== undefined) return `(${element.fragments} fragments)`;
  const { value } = element;
  if (value === undefined) return '';
  const text = Array.isArray(value) ? value.map(String).join('\\') : value;
  return truncateEnd(printable(text), VALUE_LIMIT);
}
