/** The slice of a list to show: the cursor stays visible, centred once the list scrolls. */
export interface ListWindow {
  readonly start: number;
  readonly end: number;
}

export function listWindow(count: number, cursor: number, height: number): ListWindow {
  const rows = Math.max(1, height);
  if (count <= rows) return { start: 0, end: count };
  const start = Math.min(Math.max(0, cursor - Math.floor(rows / 2)), count - rows);
  return { start, end: start + rows };
}

/** The cursor moved by `delta`, kept inside the list. */
export function moveCursor(cursor: number, delta: number, count: number): number {
  if (count === 0) return 0;
  return Math.min(Math.max(0, cursor + delta), count - 1);
}
