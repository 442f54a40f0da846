// Status lines in a fixed number of rows: wrapped rather than cut, while they fit, so that a long
// folder or store location is shown whole; shortened, longest first, when they do not.
import { truncateEnd } from './truncate.js';

/**
 * `text` wrapped at spaces to rows of at most `width` code points (a word longer than a row is
 * broken); at most `maxRows`, the last one cut with "…" when text is left over.
 */
export function wrapRows(text: string, width: number, maxRows = Number.POSITIVE_INFINITY): string[] {
  const columns = Math.max(1, width);
  const rows: string[] = [];
  let rest = [...text];
  while (rest.length > columns && rows.length < maxRows - 1) {
    const space = rest.lastIndexOf(' ', columns);
    const cut = space > 0 ? space : columns;
    rows.push(rest.slice(0, cut).join(''));
    rest = rest.slice(space > 0 ? cut + 1 : cut);
  }
  rows.push(truncateEnd(rest.join(''), columns));
  return rows;
}

/**
 * Each line as its rows, all together at most `rows`: while they are too many, the line with the
 * most rows (the lowest of equals) gives up its last one (its new last row ends in "…"); when every line is down to one
 * row, the last lines go.
 */
export function fitLines(lines: readonly string[], width: number, rows: number): string[][] {
  const counts = lines.map((line) => wrapRows(line, width).length);
  let total = counts.reduce((sum, count) => sum + count, 0);
  while (total > rows) {
    // Of equals the lower line gives way: the first lines say whether the daemon runs at all.
    const longest = counts.lastIndexOf(Math.max(...counts));
    if ((counts[longest] ?? 0) <= 1) break;
    counts[longest] = (counts[longest] ?? 1) - 1;
    total -= 1;
  }
  const fitted = lines.map((line, index) => wrapRows(line, width, counts[index]));
  return total > rows ? fitted.slice(0, Math.max(0, rows)) : fitted;
}
