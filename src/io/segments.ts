/** Output is a list of segments: bytes copied verbatim from the source, or new bytes. */
export type Segment =
  | { readonly kind: 'copy'; readonly start: number; readonly end: number }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

export function segmentSize(segments: readonly Segment[]): number {
  let size = 0;
  for (const segment of segments) size += segment.kind === 'copy' ? segment.end - segment.start : segment.bytes.length;
  return size;
}

/** Joins neighbouring copies so the writer makes one read for each untouched run. */
export function mergeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const segment of segments) {
    const last = out[out.length - 1];
    if (segment.kind === 'copy' && last?.kind === 'copy' && last.end === segment.start) {
      out[out.length - 1] = { kind: 'copy', start: last.start, end: segment.end };
    } else if (segment.kind === 'copy' ? segment.end > segment.start : segment.bytes.length > 0) {
      out.push(segment);
    }
  }
  return out;
}
