import type { Region } from './region-list.js';

/** Columns `from` (inclusive) to `to` (exclusive) of one row: the unit of blanking. */
export interface Span {
  readonly row: number;
  readonly from: number;
  readonly to: number;
}

/** A rectangle by its inclusive corners, as the ultrasound regions give theirs (PS3.3 C.8.5.5.1). */
export interface Corners {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/**
 * The spans of a region list entry's rectangles in an image of `rows` × `columns`: a negative x or
 * y counts from the right or bottom edge, and each rectangle is clipped to the image. Sorted by
 * row, overlaps joined.
 */
export function spansOfRegions(regions: readonly Region[], rows: number, columns: number): Span[] {
  const spans: Span[] = [];
  for (const [x, y, width, height] of regions) {
    const left = x < 0 ? columns + x : x;
    const top = y < 0 ? rows + y : y;
    const from = Math.max(0, left);
    const to = Math.min(columns, left + width);
    for (let row = Math.max(0, top); row < Math.min(rows, top + height); row++) if (to > from) spans.push({ row, from, to });
  }
  return joined(spans);
}

/**
 * The spans outside the union of `keep` (the ultrasound regions that hold the image data): the
 * text an ultrasound machine writes lies outside them. A region partly outside the image counts
 * for the part inside.
 */
export function spansOutside(keep: readonly Corners[], rows: number, columns: number): Span[] {
  const spans: Span[] = [];
  for (let row = 0; row < rows; row++) {
    const kept = keep
      .filter((region) => region.minY <= row && row <= region.maxY)
      .map((region) => ({ row, from: Math.max(0, region.minX), to: Math.min(columns, region.maxX + 1) }))
      .filter((span) => span.to > span.from);
    let column = 0;
    for (const span of joined(kept)) {
      if (span.from > column) spans.push({ row, from: column, to: span.from });
      column = Math.max(column, span.to);
    }
    if (column < columns) spans.push({ row, from: column, to: columns });
  }
  return spans;
}

/** Sorted by row and column, overlapping or touching spans of a row joined into one. */
function joined(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.row - b.row || a.from - b.from);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && last.row === span.row && span.from <= last.to) out[out.length - 1] = { row: last.row, from: last.from, to: Math.max(last.to, span.to) };
    else out.push(span);
  }
  return out;
}

/** A rectangle in pixels, (0,0) top left. */
export interface Rectangle {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The same pixels as `spans` (sorted by row, as the functions above give them), spans of consecutive rows with the same columns as one rectangle. */
export function rectanglesOfSpans(spans: readonly Span[]): Rectangle[] {
  const open = new Map<string, { x: number; y: number; width: number; height: number }>();
  const done: Rectangle[] = [];
  for (const span of spans) {
    const key = `${span.from}:${span.to}`;
    const rectangle = open.get(key);
    if (rectangle && rectangle.y + rectangle.height === span.row) rectangle.height++;
    else {
      if (rectangle) done.push(rectangle);
      open.set(key, { x: span.from, y: span.row, width: span.to - span.from, height: 1 });
    }
  }
  return [...done, ...open.values()].sort((a, b) => a.y - b.y || a.x - b.x);
}
