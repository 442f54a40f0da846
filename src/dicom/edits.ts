import type { Tag } from './tag.js';
import type { Vr } from './vr.js';

/** A new element's value: text (one or several values), numbers, raw bytes, or the items of a new sequence. */
export type ElementValue =
  | string
  | readonly string[]
  | number
  | readonly number[]
  | readonly bigint[]
  | Uint8Array
  | { readonly items: readonly NewItem[] };

export interface NewElement {
  readonly tag: Tag;
  /** Defaults to the dictionary's VR. */
  readonly vr?: Vr;
  readonly value: ElementValue;
}

export type NewItem = readonly NewElement[];

/** New bytes over as many old ones, at `offset` into an element's value. */
export interface ValuePatch {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * What to do with one element of a data set:
 * - remove: drop it (no-op when absent);
 * - set: replace its value, or add it in tag order when absent (an empty string or [] empties it);
 * - items: edit inside the existing items of a sequence, by item index;
 * - patch: overwrite ranges of an existing defined-length value, its length kept (blanked pixels:
 *   every byte outside the patches is copied from the source, never held in memory);
 * - encapsulated: new encapsulated Pixel Data (re-encoded frames): `value` is its items (offset
 *   table, fragments, sequence delimiter), written after an OB header of undefined length.
 */
export type ElementEdit =
  | { readonly op: 'remove' }
  | { readonly op: 'set'; readonly vr?: Vr; readonly value: ElementValue }
  | { readonly op: 'items'; readonly items: ReadonlyMap<number, DataSetEdits> }
  | { readonly op: 'patch'; readonly patches: readonly ValuePatch[] }
  | { readonly op: 'encapsulated'; readonly value: Uint8Array };

/** Edits of one data set (the top level, or one item), keyed by tag. */
export type DataSetEdits = ReadonlyMap<Tag, ElementEdit>;

export interface PathStep {
  readonly tag: Tag;
  readonly item: number;
}

/**
 * Records `edit` for `tag` inside the items named by `path` (empty path = top level), creating the
 * intermediate `items` edits. Mutates and returns `root`.
 */
export function addEdit(root: Map<Tag, ElementEdit>, path: readonly PathStep[], tag: Tag, edit: ElementEdit): Map<Tag, ElementEdit> {
  let level = root;
  for (const step of path) {
    const existing = level.get(step.tag);
    const items = existing?.op === 'items' ? new Map(existing.items) : new Map<number, DataSetEdits>();
    const next = new Map(items.get(step.item) ?? []);
    items.set(step.item, next);
    level.set(step.tag, { op: 'items', items });
    level = next;
  }
  level.set(tag, edit);
  return root;
}

/** True when applying `edits` would change at least one byte. */
export function hasEdits(edits: DataSetEdits): boolean {
  for (const edit of edits.values()) {
    if (edit.op !== 'items') return true;
    for (const nested of edit.items.values()) if (hasEdits(nested)) return true;
  }
  return false;
}

/** The first text value an edit sets (a string, or the first of several), if it sets text. */
export function firstTextOf(edit: ElementEdit | undefined): string | undefined {
  if (edit?.op !== 'set') return undefined;
  if (typeof edit.value === 'string') return edit.value;
  return Array.isArray(edit.value) && typeof edit.value[0] === 'string' ? edit.value[0] : undefined;
}
