import type { Segment } from '../io/segments.js';

/**
 * Collects output segments in one pass, joining neighbouring copies as they come (this runs for
 * every file of a batch); a placeholder can be replaced later.
 */
export class SegmentBuilder {
  private readonly out: Segment[] = [];
  private runStart = -1;
  private runEnd = -1;

  copy(start: number, end: number): void {
    if (end <= start) return;
    if (this.runStart >= 0 && this.runEnd === start) {
      this.runEnd = end;
      return;
    }
    this.endRun();
    this.runStart = start;
    this.runEnd = end;
  }

  push(segments: readonly Segment[]): void {
    for (const segment of segments) {
      if (segment.kind === 'copy') this.copy(segment.start, segment.end);
      else if (segment.bytes.length > 0) {
        this.endRun();
        this.out.push(segment);
      }
    }
  }

  /** Adds bytes that no copy run may swallow; returns their index for replace(). */
  placeholder(bytes: Uint8Array): number {
    this.endRun();
    return this.out.push({ kind: 'bytes', bytes }) - 1;
  }

  replace(index: number, bytes: Uint8Array): void {
    this.out[index] = { kind: 'bytes', bytes };
  }

  segments(): Segment[] {
    this.endRun();
    return this.out;
  }

  private endRun(): void {
    if (this.runStart >= 0) this.out.push({ kind: 'copy', start: this.runStart, end: this.runEnd });
    this.runStart = -1;
  }
}
