// Fitting text into table cells. Widths count code points; file names and DICOM values are
// mostly Latin, and Ink's own truncation catches the rest.

const ELLIPSIS = '…';

/** `text` cut at the end to `width`, with an ellipsis when cut. */
export function truncateEnd(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}${ELLIPSIS}`;
}

/** `text` cut at the start (for paths: the end is what matters). */
export function truncateStart(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return `${ELLIPSIS}${chars.slice(chars.length - width + 1).join('')}`;
}

/** `text` cut in the middle (for UID-based names: start and extension both matter). */
export function truncateMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return truncateEnd(text, width);
  const tail = Math.floor((width - 1) / 2);
  const head = width - 1 - tail;
  return `${chars.slice(0, head).join('')}${ELLIPSIS}${chars.slice(chars.length - tail).join('')}`;
}

/** `text` fitted to exactly `width` columns: cut at the end, or padded with spaces. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncateEnd(text, width);
  const pad = ' '.repeat(Math.max(0, width - [...cut].length));
  return align === 'left' ? `${cut}${pad}` : `${pad}${cut}`;
}

/** Control characters in DICOM values shown as "·" so they cannot drive the terminal (paths and names: printableText). */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '·');
}
